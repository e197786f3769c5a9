/**
 * The embedded runtime: the step functions served on loopback by the functions framework, and the
 * Cloud Workflows files in `workflows/` executed by the local interpreter against them. `run` and
 * `backfill` go through the very same YAML the cloud runs.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { firstMonths, type Taxi } from '../domain/datasets.js';
import { messageOf } from '../domain/errors.js';
import type { Month } from '../domain/months.js';
import { emptyQuarantineCounts } from '../domain/quarantine.js';
import { summaryFromLedger, type RunSummary } from '../domain/summary.js';
import type { Ledger } from '../ports/ledger.js';
import type { ExtractDeps } from '../steps/extract/extract.js';
import type { Log } from '../steps/http.js';
import { stepDeps } from '../wiring.js';
import { localAdapters } from './adapters.js';
import { loadDuckDb } from '../adapters/duckdb/warehouse.js';
import { serveFunctions, type FunctionUrls } from './serve.js';
import { runWorkflowFile, WorkflowError, type Connector, type RunOptions } from './workflows/index.js';

/** The connector that starts a child execution and waits for its result. */
export const RUN_EXECUTION_CONNECTOR = 'googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run';

/** Which month a workflow step belongs to, for progress displays. */
export interface StepEvent {
  taxi: string | null;
  month: string | null;
  /** `extract`, `stage` or `merge` when a function call starts. */
  step: 'extract' | 'stage' | 'merge';
}

export interface LocalRunOptions {
  onProgress?: ExtractDeps['onProgress'];
  onRetry?: ExtractDeps['onRetry'];
  onStep?: (event: StepEvent) => void;
  /** Function logs; by default they go to `<dataDir>/functions.log`, keeping the terminal clean. */
  log?: Log;
  /** Workflow `sys.log` entries; by default appended to the same file. */
  workflowLog?: RunOptions['log'];
  /** The id of the top-level execution (child executions get their own); default `local-<uuid>`. */
  executionId?: string;
  /** Clock for `sys.now` (tests fix it to check the scheduled month). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A log that appends JSON lines to a file. */
export function fileLog(path: string): Log {
  mkdirSync(dirname(path), { recursive: true });
  return (severity, message, fields) => appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), severity, message, ...fields })}\n`);
}

/** The repository's `workflows/` folder, found from this module (works from src and dist). */
export function repoWorkflowsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'workflows', 'ingest_month.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the workflows/ folder');
    dir = up;
  }
  return join(dir, 'workflows');
}

/** The step functions served for one session, with the adapters they use. */
export interface LocalStack {
  urls: FunctionUrls;
  /** The run ledger the functions append to. */
  ledger: Ledger;
  close(): Promise<void>;
}

/** Serve the functions over the local adapters. `close` stops the servers and the warehouse. */
export async function startLocalStack(config: Config, options: LocalRunOptions = {}): Promise<LocalStack> {
  const adapters = localAdapters(config);
  const deps = stepDeps(config, adapters, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  // DuckDB's library is loaded before the first step: every run needs it, and loading it (60-110 ms,
  // mostly on the main thread) stalled the download when it happened beside extract. A load failure
  // surfaces at the first warehouse call, as a step error.
  const [served] = await Promise.all([serveFunctions(deps, options.log ?? fileLog(join(config.dataDir, 'functions.log'))), loadDuckDb().catch(() => undefined)]);
  return {
    urls: served.urls,
    ledger: adapters.ledger,
    close: async () => {
      await served.close();
      await adapters.warehouse.close();
    },
  };
}

const STEP_OF_CALL: Record<string, StepEvent['step']> = { call_extract: 'extract', call_stage: 'stage', call_merge: 'merge' };

/**
 * Run a workflow file against a served stack, with the environment Cloud Workflows would get from
 * `user_env_vars`, and child executions (the executions.run connector) run locally from the same folder.
 */
export async function runWorkflowOnStack(
  config: Config,
  stack: LocalStack,
  file: string,
  args: unknown,
  options: LocalRunOptions = {},
): Promise<unknown> {
  const dir = config.workflowsDir ?? repoWorkflowsDir();
  const toFile = options.workflowLog ? null : fileLog(join(config.dataDir, 'functions.log'));
  const workflowLog: NonNullable<RunOptions['log']> =
    options.workflowLog ?? ((entry) => toFile!(entry.severity === 'ERROR' ? 'ERROR' : 'INFO', 'workflow log', { entry }));
  const baseEnv = {
    CATALOG_URL: stack.urls.catalog,
    EXTRACT_URL: stack.urls.extract,
    STAGE_URL: stack.urls.stage,
    MERGE_URL: stack.urls.merge,
    NOTIFY_URL: config.alertWebhook ? stack.urls.notify : '',
    MONTH_LAG: String(config.monthLag),
    SCHEDULE_WINDOW: String(config.scheduleWindow),
    FIRST_MONTHS: JSON.stringify(firstMonths()),
    INGEST_WORKFLOW: 'ingest_month',
  };
  let top = options.executionId;
  const run = (path: string, runArgs: unknown): Promise<unknown> => {
    const a = (runArgs ?? {}) as { taxi?: string; month?: string };
    // Every execution, child executions included, gets its own ID, as on Cloud Workflows.
    const id = top ?? `local-${randomUUID()}`;
    top = undefined;
    return runWorkflowFile(path, {
      args: runArgs,
      env: { ...baseEnv, GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: id },
      log: workflowLog,
      connectors: { [RUN_EXECUTION_CONNECTOR]: runChild },
      onStep: (name) => {
        const step = STEP_OF_CALL[name];
        if (step) options.onStep?.({ taxi: a.taxi ?? null, month: a.month ?? null, step });
      },
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  };
  const runChild: Connector = async (connectorArgs) => {
    const id = String(connectorArgs.workflow_id ?? '');
    if (!/^[\w-]+$/.test(id)) throw new WorkflowError({ message: `invalid workflow_id ${JSON.stringify(id)}`, tags: ['ValueError'] });
    return run(join(dir, `${id}.yaml`), connectorArgs.argument);
  };
  return run(isAbsolute(file) ? file : join(dir, file), args);
}

/** The message of a failed execution: the workflow's own error map carries a one-line `message`. */
export function executionError(err: unknown): string {
  if (err instanceof WorkflowError) {
    const v = err.value as { message?: unknown } | string | null;
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof v.message === 'string') return v.message;
  }
  return messageOf(err);
}

/** A `failed` summary for a month whose execution raised. */
export function failedSummary(taxi: Taxi, month: Month | null, error: string, durationMs: number): RunSummary {
  return {
    taxi,
    month: month ?? '',
    status: 'failed',
    rowsInFile: 0,
    rowsLoaded: 0,
    rowsQuarantined: 0,
    quarantined: emptyQuarantineCounts(),
    inserted: 0,
    deleted: 0,
    durationMs,
    rawUri: null,
    error,
  };
}

/**
 * Load one month through `workflows/ingest_month.yaml` on the local stack. A failed execution becomes
 * a `failed` summary, not a throw.
 */
export async function runMonth(config: Config, taxi: Taxi, month: Month, options: LocalRunOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const executionId = options.executionId ?? `local-${randomUUID()}`;
  const stack = await startLocalStack(config, options);
  try {
    let summary: RunSummary;
    try {
      summary = (await runWorkflowOnStack(config, stack, 'ingest_month.yaml', { taxi, month }, { ...options, executionId })) as RunSummary;
    } catch (err) {
      summary = failedSummary(taxi, month, executionError(err), Date.now() - started);
    }
    // The counts are the ledger's: what the steps recorded of this execution.
    const steps = (await stack.ledger.read({ taxi, from: month, to: month }).catch(() => [])).filter((e) => e.execution_id === executionId);
    return summaryFromLedger(summary, steps);
  } finally {
    await stack.close();
  }
}

/** What a scheduled run of `workflows/ingest_month.yaml` (no month) returns. */
export interface ScheduledResult {
  taxi: Taxi;
  scheduled: true;
  /** The months looked at, oldest first. */
  months: Month[];
  results: (RunSummary | { taxi: Taxi; month: Month; status: 'failed'; error: string })[];
  totals: { months: number; succeeded: number; already_loaded: number; not_published: number; failed: number; rowsLoaded: number };
  /** Set when the execution failed: the failed months, one line. */
  error?: string;
}

/**
 * A scheduled run on the local stack: the workflow looks back over the schedule window and loads every
 * published month not yet loaded at the same source version. A failed month fails the execution after
 * the others ran; its results come back with the error.
 */
export async function runScheduled(config: Config, taxi: Taxi, options: LocalRunOptions = {}): Promise<ScheduledResult> {
  const stack = await startLocalStack(config, options);
  try {
    return (await runWorkflowOnStack(config, stack, 'ingest_month.yaml', { taxi }, options)) as ScheduledResult;
  } catch (err) {
    const v = err instanceof WorkflowError ? (err.value as { results?: ScheduledResult['results'] } | null) : null;
    const results = v && typeof v === 'object' && Array.isArray(v.results) ? v.results : [];
    const count = (status: string) => results.filter((r) => r.status === status).length;
    return {
      taxi,
      scheduled: true,
      months: results.map((r) => r.month),
      results,
      totals: {
        months: results.length,
        succeeded: count('succeeded'),
        already_loaded: count('already_loaded'),
        not_published: count('not_published'),
        failed: Math.max(count('failed'), 1),
        rowsLoaded: results.reduce((n, r) => n + ('rowsLoaded' in r ? r.rowsLoaded : 0), 0),
      },
      error: executionError(err),
    };
  } finally {
    await stack.close();
  }
}

/** What `workflows/backfill.yaml` returns. */
export interface BackfillResult {
  results: (RunSummary | { taxi: Taxi; month: Month; status: 'failed'; error: string })[];
  totals: {
    months: number;
    succeeded: number;
    not_published: number;
    already_loaded: number;
    failed: number;
    rowsInFile: number;
    rowsLoaded: number;
    rowsQuarantined: number;
  };
}

/** The backfill workflow's argument. */
export interface BackfillArgs {
  taxi: Taxi | 'all';
  from: Month;
  to: Month;
  concurrency: number;
}

/** Run `workflows/backfill.yaml` on the local stack; its child executions run ingest_month.yaml. */
export async function runBackfill(config: Config, args: BackfillArgs, options: LocalRunOptions = {}): Promise<BackfillResult> {
  const stack = await startLocalStack(config, options);
  try {
    return (await runWorkflowOnStack(config, stack, 'backfill.yaml', args, options)) as BackfillResult;
  } finally {
    await stack.close();
  }
}

/** What `workflows/land_file.yaml` returns for one landed object (a failed execution: `failed`). */
export type LandedResult =
  | (RunSummary & { object: string })
  | { object: string; status: 'ignored' }
  | { object: string; status: 'rejected'; reason: string; rejectedTo: string | null }
  | { object: string; status: 'failed'; error: string };

/**
 * Load one object of the lake's landing prefix through `workflows/land_file.yaml` on a local stack that
 * lives only for this file: the warehouse is open while the file loads, and not a moment longer.
 */
export async function runLanded(config: Config, key: string, options: LocalRunOptions = {}): Promise<LandedResult> {
  const stack = await startLocalStack(config, options);
  try {
    return (await runWorkflowOnStack(config, stack, 'land_file.yaml', { object: key }, options)) as LandedResult;
  } catch (err) {
    return { object: key, status: 'failed', error: executionError(err) };
  } finally {
    await stack.close();
  }
}
