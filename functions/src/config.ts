/**
 * Configuration, read once at the edge: `parseConfig(env = process.env)`. Nothing below the edges reads
 * `process.env`; flags are folded into the same variables by the CLI before this runs.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { BadRequestError } from './domain/errors.js';
import { SCHEMA_CONTRACTS, type SchemaContract } from './domain/schema-contract.js';
import { sizeBytes } from './domain/sizes.js';
import { DEFAULT_SOURCE, resolveSource, zoneFileUrl, type Source } from './domain/sources.js';

const httpUrl = (what: string) =>
  z
    .string()
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), { error: (iss) => `${what} must be an http(s) URL, got ${JSON.stringify(iss.input)}` });

const int = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: () => `${what} must be a number` })
    .int({ error: () => `${what} must be a whole number` })
    .min(min, { error: () => `${what} must be at least ${min}` })
    .max(max, { error: () => `${what} must be at most ${max}` });

/** The environment variables this project reads, with defaults. */
export const EnvSchema = z.object({
  TAXI_TARGET: z.enum(['local', 'gcp'], { error: () => 'TAXI_TARGET must be "local" or "gcp"' }).default('local'),
  /** A preset name (`tlc`, `mirror`), a URL template with {taxi}, {YYYY}, {MM}, or a mirror base URL. */
  TAXI_SOURCE_URL: z.string().default(DEFAULT_SOURCE),
  /** Columns no era of the dictionary knows: `freeze` fails the month as schema drift, `evolve` adds them. */
  TAXI_SCHEMA_CONTRACT: z.enum(SCHEMA_CONTRACTS, { error: () => `TAXI_SCHEMA_CONTRACT must be ${SCHEMA_CONTRACTS.map((c) => `"${c}"`).join(' or ')}` }).default('freeze'),
  /** Months a scheduled run looks back over (the month before the current one and earlier). */
  TAXI_SCHEDULE_WINDOW: int('TAXI_SCHEDULE_WINDOW', 1, 24).default(3),
  TAXI_DATA_DIR: z.string().min(1, { error: () => 'TAXI_DATA_DIR (--data-dir) must not be empty' }).default('./.taxi'),
  /** Attempts per download after the first, for 429/5xx/network errors. */
  TAXI_HTTP_RETRIES: int('TAXI_HTTP_RETRIES', 0, 20).default(5),
  /** How long a connection to the source may take to open. */
  TAXI_HTTP_CONNECT_TIMEOUT_MS: int('TAXI_HTTP_CONNECT_TIMEOUT_MS', 100, 300_000).default(10_000),
  /** How long the source may take to answer with headers, or to send the next chunk of a body. */
  TAXI_HTTP_HEADERS_TIMEOUT_MS: int('TAXI_HTTP_HEADERS_TIMEOUT_MS', 100, 600_000).default(30_000),
  /** How long opening the source may take in all, retries included, before the run gives up. */
  TAXI_HTTP_DEADLINE_MS: int('TAXI_HTTP_DEADLINE_MS', 100, 3_600_000).default(120_000),
  /** First backoff delay; doubles each attempt, with jitter. */
  TAXI_RETRY_BASE_MS: int('TAXI_RETRY_BASE_MS', 0, 60_000).default(1_000),
  /** How long a lease on a month is honoured before it counts as abandoned. */
  /** How long a month's lease lives without a heartbeat (renewed every third of it while a step works). */
  TAXI_LEASE_TTL_MS: int('TAXI_LEASE_TTL_MS', 300, 3_600_000).default(90_000),
  /** How long a step waits for a month another live execution holds before it fails (a Cloud Function call lasts at most 30 min). */
  TAXI_LEASE_WAIT_MS: int('TAXI_LEASE_WAIT_MS', 0, 1_500_000).default(300_000),
  /** Months back a scheduled run loads (the workflow's MONTH_LAG). */
  TAXI_MONTH_LAG: int('TAXI_MONTH_LAG', 0, 24).default(1),
  /** Webhook for failure alerts (Secret Manager on GCP); unset: alerts are off. */
  TAXI_ALERT_WEBHOOK: httpUrl('TAXI_ALERT_WEBHOOK').optional(),
  /**
   * DuckDB's memory limit in the embedded mode. Past it DuckDB spills to `<warehouse>.tmp/` instead of
   * growing: a full yellow month then stays within 1 GiB for the whole process.
   */
  TAXI_DUCKDB_MEMORY_LIMIT: z
    .string()
    .refine((v) => sizeBytes(v) !== null, { error: () => 'TAXI_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 2GB' })
    .default('512MB'),
  /**
   * Embedded mode: extract keeps the inflated text of a CSV month the stage holds in memory under
   * `work/`, and the stage reads it instead of inflating the gzip again (about 4× the .csv.gz on disk
   * while the month stages). `off` stages from the gzip.
   */
  TAXI_PLAIN_TEXT: z.enum(['on', 'off'], { error: () => 'TAXI_PLAIN_TEXT must be "on" or "off"' }).default('on'),
  /** Where the taxi zone lookup is downloaded; default: the source preset's, or `misc/` beside the trip files. */
  TAXI_ZONES_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/i, { error: (iss) => `TAXI_ZONES_URL must be an http(s) URL, got ${JSON.stringify(iss.input)}` })
    .optional(),
  /** Folder holding ingest_month.yaml and backfill.yaml for the local runner; default: the repo's workflows/. */
  TAXI_WORKFLOWS_DIR: z.string().min(1).optional(),
  // Cloud target (issue 3): validated when TAXI_TARGET=gcp.
  TAXI_GCP_PROJECT: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: (iss) => `TAXI_GCP_PROJECT must be a GCP project id (6-30 lowercase letters, digits, hyphens), got ${JSON.stringify(iss.input)}` })
    .optional(),
  TAXI_GCP_LOCATION: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{1,40}$/, { error: (iss) => `TAXI_GCP_LOCATION must be a location such as US, EU or us-central1, got ${JSON.stringify(iss.input)}` })
    .optional(),
  TAXI_BQ_DATASET: z
    .string()
    .regex(/^\w{1,1024}$/, { error: (iss) => `TAXI_BQ_DATASET must be a dataset name (letters, digits, underscores), got ${JSON.stringify(iss.input)}` })
    .optional(),
  TAXI_GCS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, { error: (iss) => `TAXI_GCS_BUCKET must be a bucket name, got ${JSON.stringify(iss.input)}` })
    .optional(),
});

/** Validated configuration. */
export interface Config {
  target: 'local' | 'gcp';
  /** The source as given (preset, template or base URL), passed on to deployed functions unchanged. */
  sourceUrl: string;
  source: Source;
  /** Where the taxi zone lookup comes from. */
  zonesUrl: string;
  schemaContract: SchemaContract;
  scheduleWindow: number;
  /** Absolute data dir: the lake (`lake/`) and the warehouse (`warehouse.duckdb`) live under it. */
  dataDir: string;
  httpRetries: number;
  retryBaseMs: number;
  http: { connectTimeoutMs: number; headersTimeoutMs: number; deadlineMs: number };
  leaseTtlMs: number;
  leaseWaitMs: number;
  monthLag: number;
  duckdbMemoryLimit: string;
  /** Whether extract keeps a compressed month's inflated text for a warehouse that reads it (TAXI_PLAIN_TEXT). */
  plainText: boolean;
  alertWebhook: string | null;
  /** Absolute folder of the workflow files, or null for the repository's own `workflows/`. */
  workflowsDir: string | null;
  gcp?: { project: string; location: string; dataset: string; bucket: string };
}

/**
 * Validate the environment into a Config.
 * @throws BadRequestError with one line naming the offending variable(s)
 */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) throw new BadRequestError(parsed.error.issues.map((i) => i.message).join('; '));
  const e = parsed.data;
  const config: Config = {
    target: e.TAXI_TARGET,
    sourceUrl: e.TAXI_SOURCE_URL,
    source: resolveSource(e.TAXI_SOURCE_URL),
    zonesUrl: e.TAXI_ZONES_URL ?? zoneFileUrl(resolveSource(e.TAXI_SOURCE_URL)),
    schemaContract: e.TAXI_SCHEMA_CONTRACT,
    scheduleWindow: e.TAXI_SCHEDULE_WINDOW,
    dataDir: resolve(e.TAXI_DATA_DIR),
    httpRetries: e.TAXI_HTTP_RETRIES,
    retryBaseMs: e.TAXI_RETRY_BASE_MS,
    http: { connectTimeoutMs: e.TAXI_HTTP_CONNECT_TIMEOUT_MS, headersTimeoutMs: e.TAXI_HTTP_HEADERS_TIMEOUT_MS, deadlineMs: e.TAXI_HTTP_DEADLINE_MS },
    leaseTtlMs: e.TAXI_LEASE_TTL_MS,
    leaseWaitMs: e.TAXI_LEASE_WAIT_MS,
    monthLag: e.TAXI_MONTH_LAG,
    duckdbMemoryLimit: e.TAXI_DUCKDB_MEMORY_LIMIT,
    plainText: e.TAXI_PLAIN_TEXT === 'on',
    alertWebhook: e.TAXI_ALERT_WEBHOOK ?? null,
    workflowsDir: e.TAXI_WORKFLOWS_DIR ? resolve(e.TAXI_WORKFLOWS_DIR) : null,
  };
  if (e.TAXI_TARGET === 'gcp') {
    const missing = (['TAXI_GCP_PROJECT', 'TAXI_GCP_LOCATION', 'TAXI_BQ_DATASET', 'TAXI_GCS_BUCKET'] as const).filter((k) => !e[k]);
    if (missing.length) throw new BadRequestError(`TAXI_TARGET=gcp needs ${missing.join(', ')}`);
    config.gcp = { project: e.TAXI_GCP_PROJECT!, location: e.TAXI_GCP_LOCATION!, dataset: e.TAXI_BQ_DATASET!, bucket: e.TAXI_GCS_BUCKET! };
  }
  return config;
}
