/**
 * The run ledger: one row per step attempt, appended by the step functions themselves (on GCP too), in
 * the warehouse's `pipeline_runs` table. Which months are loaded, since when, from which file, and what
 * failed last night are questions for this table. Pure: the entry's columns are data both dialects
 * derive their DDL from.
 */
import type { ColumnKind, Taxi } from './datasets.js';
import type { Month } from './months.js';

/** The workflows a step can run under. */
export const LEDGER_WORKFLOWS = ['ingest', 'backfill', 'schedule', 'landing'] as const;
export type LedgerWorkflow = (typeof LEDGER_WORKFLOWS)[number];

/** One step attempt. Counts are null when the step does not know them. */
export interface LedgerEntry {
  execution_id: string;
  workflow: string;
  taxi: Taxi;
  month: Month;
  step: string;
  started_at: string;
  ended_at: string;
  /** The step's answer (`extracted`, `unchanged`, `not_published`, `staged`, `merged`, `already_loaded`) or `failed`. */
  status: string;
  rows_in_file: number | null;
  rows_loaded: number | null;
  rows_quarantined: number | null;
  /** Quarantined rows by reason, as JSON (`{"malformed":0,...}`), when the step knows them. */
  quarantined: string | null;
  inserted: number | null;
  deleted: number | null;
  bytes: number | null;
  source_url: string | null;
  etag: string | null;
  sha256: string | null;
  error: string | null;
}

/** The table's columns, in order, with their logical kinds (timestamps are UTC instants here). */
export const LEDGER_COLUMNS: readonly { name: keyof LedgerEntry; kind: ColumnKind | 'instant'; description: string }[] = [
  { name: 'execution_id', kind: 'string', description: 'The workflow execution that ran the step (Cloud Workflows execution id, or the local runner\'s)' },
  { name: 'workflow', kind: 'string', description: 'What started the execution: ingest (an explicit run), backfill, schedule, or landing (a file dropped under landing/ in the lake)' },
  { name: 'taxi', kind: 'string', description: 'Dataset: yellow, green, fhv or fhvhv' },
  { name: 'month', kind: 'string', description: 'Month of the release file, YYYY-MM' },
  { name: 'step', kind: 'string', description: 'Step of the pipeline: extract, stage or merge' },
  { name: 'started_at', kind: 'instant', description: 'When the step attempt started (UTC)' },
  { name: 'ended_at', kind: 'instant', description: 'When the step attempt ended (UTC)' },
  { name: 'status', kind: 'string', description: 'The step\'s answer (extracted, unchanged, not_published, staged, merged, already_loaded) or failed' },
  { name: 'rows_in_file', kind: 'integer', description: 'Rows in the release file (data lines of a CSV, the Parquet footer\'s row count)' },
  { name: 'rows_loaded', kind: 'integer', description: 'Rows of the file in the main table' },
  { name: 'rows_quarantined', kind: 'integer', description: 'Rows of the file in the quarantine table' },
  { name: 'quarantined', kind: 'string', description: 'Quarantined rows by reason, as JSON: {"malformed":0,"invalid_value":0,"outside_month":0,"duplicate":0}' },
  { name: 'inserted', kind: 'integer', description: 'Rows the merge added to the month' },
  { name: 'deleted', kind: 'integer', description: 'Rows the merge removed from the month (no longer in the file)' },
  { name: 'bytes', kind: 'integer', description: 'Bytes of the file (extract) or bytes the warehouse processed (stage, merge)' },
  { name: 'source_url', kind: 'string', description: 'Where the file was downloaded from' },
  { name: 'etag', kind: 'string', description: 'The source\'s ETag of the file' },
  { name: 'sha256', kind: 'string', description: 'sha256 of the file as served, hex' },
  { name: 'error', kind: 'string', description: 'The one-line reason of a failed attempt; NULL otherwise' },
];

/** What the ledger table holds, for its description. */
export const LEDGER_DESCRIPTION = 'The run ledger of nyc-taxi-elt: one row per step attempt (extract, stage, merge) of every execution, appended by the step functions; what loaded when, from which file, and what failed';

/** The ledger table's name. */
export const LEDGER_TABLE = 'pipeline_runs';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What a step's answer says, as ledger fields (any of extract's, stage's or merge's answers). */
export function outcomeFields(result: unknown): Pick<LedgerEntry, 'status' | 'rows_in_file' | 'rows_loaded' | 'rows_quarantined' | 'quarantined' | 'inserted' | 'deleted' | 'bytes' | 'source_url' | 'etag' | 'sha256'> {
  const r = (result ?? {}) as Record<string, unknown>;
  const object = (r.object ?? {}) as Record<string, unknown>;
  return {
    status: String(r.status ?? 'succeeded'),
    rows_in_file: num(r.rowsInFile) ?? num(object.dataLines),
    rows_loaded: num(r.rowsLoaded) ?? num(r.staged),
    rows_quarantined: num(r.rowsQuarantined),
    quarantined: r.quarantined && typeof r.quarantined === 'object' ? JSON.stringify(r.quarantined) : null,
    inserted: num(r.inserted),
    deleted: num(r.deleted),
    bytes: num(object.bytes) ?? num(r.bytesProcessed),
    source_url: str(object.sourceUrl),
    etag: str(object.etag),
    sha256: str(object.sha256),
  };
}

/** A month's state in `status`, from its ledger rows (oldest first) and whether an execution holds it now. */
export interface MonthState {
  taxi: Taxi;
  month: Month;
  state: 'loaded' | 'failed' | 'not_published' | 'running' | 'never';
  rowsLoaded: number | null;
  rowsQuarantined: number | null;
  loadedAt: string | null;
  sha256: string | null;
  etag: string | null;
  error: string | null;
  /** When the last attempt ended. */
  lastAttemptAt: string | null;
}

/** Fold a month's ledger rows (in the order they ended) into its state. */
export function monthState(taxi: Taxi, month: Month, entries: readonly LedgerEntry[], running: boolean): MonthState {
  let loaded: LedgerEntry | null = null;
  let last: LedgerEntry | null = null;
  let source: LedgerEntry | null = null;
  for (const e of entries) {
    last = e;
    if (e.step === 'extract' && e.sha256) source = e;
    if ((e.step === 'merge' && e.status === 'merged') || e.status === 'already_loaded') loaded = e;
  }
  const base = {
    taxi,
    month,
    rowsLoaded: loaded?.rows_loaded ?? null,
    rowsQuarantined: loaded?.rows_quarantined ?? null,
    loadedAt: loaded?.ended_at ?? null,
    sha256: loaded ? (source?.sha256 ?? null) : null,
    etag: loaded ? (source?.etag ?? null) : null,
    error: null as string | null,
    lastAttemptAt: last?.ended_at ?? null,
  };
  if (running) return { ...base, state: 'running' };
  if (!last) return { ...base, state: 'never' };
  if (last.status === 'failed') return { ...base, state: 'failed', error: last.error };
  if (loaded) return { ...base, state: 'loaded' };
  if (last.status === 'not_published') return { ...base, state: 'not_published' };
  return { ...base, state: 'never' };
}
