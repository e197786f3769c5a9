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
}

/** Extra facts a backend reports per step (bytes scanned, job ids). */
export interface StepStats {
  bytesProcessed?: number;
  jobIds?: string[];
}

/**
 * Runs a commit only while the caller still owns the month (see HeldLease.fence); the warehouse wraps the
 * one action that makes its work visible in it.
 */
export type Fence = <T>(commit: () => Promise<T>) => Promise<T>;

/** No fence: for callers that own the month by other means (the bench, plan). */
export const UNFENCED: Fence = (commit) => commit();

export interface Warehouse {
  readonly dialect: 'duckdb' | 'bigquery';
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
  /** Run read-only SQL (the CLI's `query`). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
