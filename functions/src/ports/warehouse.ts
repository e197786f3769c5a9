/**
 * The warehouse: staging and month replacement. Implementations: `adapters/duckdb` (embedded) and
 * `adapters/bigquery`. Both render their twin templates in `sql/<dialect>/`.
 */
import type { Taxi } from '../domain/datasets.js';
import type { Month } from '../domain/months.js';
import type { SchemaContract } from '../domain/schema-contract.js';
import type { MergeCounts, StageCounts } from '../domain/summary.js';
import type { StoredObject } from './object-store.js';

/** One statement of a step, in the order it runs. */
export interface PlannedStatement {
  step: string;
  sql: string;
}

/** One month of one dataset, read from one raw object. */
export interface MonthJob {
  taxi: Taxi;
  month: Month;
  object: StoredObject;
  /** Whether columns no era knows are refused (`freeze`, checked at extract) or added to the tables (`evolve`). */
  schemaContract?: SchemaContract;
  /**
   * The execution asking (Workflows' execution ID). Calls of one execution share their warehouse jobs, so
   * a call retried after a timeout joins the job still running; a later execution runs its own.
   */
  run?: string;
  /**
   * Where the inflated text of the raw file is, when extract kept it and the warehouse reads it
   * (`plainTextLines`): the same lines as the raw object, to read without inflating it again.
   */
  plainText?: string;
}

/** Extra facts a backend reports per step (bytes scanned, job ids). */
export interface StepStats {
  bytesProcessed?: number;
  jobIds?: string[];
}

/**
 * The caller's ownership of the month (a held lease, see ports/lease.ts). The warehouse runs the one
 * action that makes its work visible through `fence`, which refuses once the lease was taken over; a
 * warehouse that commits in a transaction also checks `token` inside it (BigQuery's fence table), so
 * the check and the commit are one atomic action.
 */
export interface Fence {
  /** Fencing token of the lease (grows with every acquisition); null when nobody holds a lease. */
  readonly token: string | null;
  /** The execution holding the lease. */
  readonly holder: string;
  /** Run `commit` only while the lease is still held with `token`. */
  fence<T>(commit: () => Promise<T>): Promise<T>;
}

/** No fence: for callers that own the month by other means (the bench, plan). */
export const UNFENCED: Fence = { token: null, holder: 'unfenced', fence: (commit) => commit() };

export interface Warehouse {
  readonly dialect: 'duckdb' | 'bigquery';
  /**
   * The most data lines of a month whose stage reads its `plainText` (a local file) when extract kept
   * one; 0: never. Past it the text would not help the stage and only take disk.
   */
  readonly plainTextLines: number;
  /** The statements `stage` then `merge` run for this job, in order, values inlined. */
  plan(job: MonthJob): PlannedStatement[];
  /** Create tables if needed and (re)build the month's staging table from the raw object; `fence` guards the swap-in. */
  stage(job: MonthJob, fence?: Fence): Promise<StageCounts & StepStats>;
  /** sha256 of the raw file the month's staging table was built from; null when unknown or not staged. */
  stagedSource(job: MonthJob): Promise<string | null>;
  /** Count the staging table as it stands (merge re-reads it to reconcile). */
  stagedCounts(job: MonthJob): Promise<StageCounts>;
  /**
   * Atomically make the month in the main table equal to the staged rows and replace the file's
   * quarantine rows; `fence` guards the commit.
   */
  replaceMonth(job: MonthJob, fence?: Fence): Promise<MergeCounts & StepStats>;
  /**
   * The analyst's catalog: the zone table replaced from its landed file, every dataset's main and
   * quarantine tables created when absent, the `trips` view over them, and every description written —
   * all or nothing. Returns the zones loaded.
   */
  refreshCatalog(zones: StoredObject): Promise<{ zones: number }>;
  /** A fingerprint of what refreshCatalog writes besides the zone file's rows: changes with the code's definitions. */
  catalogVersion(): string;
  /** Run read-only SQL (the CLI's `query`). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
