/**
 * Step results and the run summary, plus the reconciliation rule. Pure.
 */
import { PipelineError } from './errors.js';
import { QUARANTINE_REASONS, emptyQuarantineCounts, totalQuarantined, type QuarantineCounts, type QuarantineReason } from './quarantine.js';
import type { Taxi } from './datasets.js';
import type { LedgerEntry } from './ledger.js';
import type { Month } from './months.js';

/** What stage counted in the staging table. */
export interface StageCounts {
  /** Rows typed and kept for the main table. */
  staged: number;
  quarantined: QuarantineCounts;
}

/** Row changes made by a month replacement. */
export interface MergeCounts {
  inserted: number;
  deleted: number;
}

/** A month's rows as its load counted them: the file's, the main table's and the quarantine's (by reason). */
export interface MonthRows {
  taxi: Taxi;
  month: Month;
  rowsInFile: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  quarantined: QuarantineCounts;
}

/** The run summary printed by `taxi-elt run --json` and returned by the ingest workflow. */
export interface RunSummary extends MonthRows {
  /**
   * `already_loaded`: the tables hold exactly the month's current file — a scheduled run found it so, or
   * another execution loaded it while this one waited for the month.
   */
  status: 'succeeded' | 'already_loaded' | 'not_published' | 'failed';
  inserted: number;
  deleted: number;
  durationMs: number;
  rawUri: string | null;
  error?: string;
  /** When the month was loaded (an `already_loaded` month). */
  loadedAt?: string;
}

/**
 * Every data line counted by extract must be staged or quarantined: nothing lost, nothing invented.
 * @throws PipelineError('reconcile') naming both sides
 */
export function reconcile(dataLines: number, counts: StageCounts): void {
  const accounted = counts.staged + totalQuarantined(counts.quarantined);
  if (accounted !== dataLines) {
    throw new PipelineError(
      'reconcile',
      `reconciliation failed: extract counted ${dataLines} data lines but staging holds ${counts.staged} staged + ${totalQuarantined(counts.quarantined)} quarantined = ${accounted}; tables left unchanged`,
    );
  }
}


/**
 * StageCounts from the rows of a count query over a staging table: `reason` ('staged' for rows without
 * a reason) and `n`, in any order.
 * @throws Error for a reason this code does not know (a template and the domain out of step)
 */
export function stageCountsFromRows(rows: readonly { reason: unknown; n: unknown }[]): StageCounts {
  const counts: StageCounts = { staged: 0, quarantined: emptyQuarantineCounts() };
  for (const row of rows) {
    const reason = String(row.reason);
    const n = Number(row.n);
    if (reason === 'staged') counts.staged = n;
    else if ((QUARANTINE_REASONS as readonly string[]).includes(reason)) counts.quarantined[reason as QuarantineReason] = n;
    else throw new Error(`staging table holds an unknown reason ${reason}`);
  }
  return counts;
}

/**
 * The run summary with its counts read from the run ledger's rows of the execution (its steps' own
 * record, the quarantine breakdown included); the workflow's answer keeps what the ledger does not hold
 * (the status, the raw file, the error). Without ledger rows the answer stands as it is.
 */
export function summaryFromLedger(summary: RunSummary, steps: readonly LedgerEntry[]): RunSummary {
  const last = (step: string) => [...steps].reverse().find((e) => e.step === step && e.status !== 'failed');
  const extract = last('extract');
  const merge = last('merge');
  const out: RunSummary = { ...summary };
  const rowsInFile = merge?.rows_in_file ?? last('stage')?.rows_in_file ?? extract?.rows_in_file;
  if (rowsInFile !== null && rowsInFile !== undefined) out.rowsInFile = rowsInFile;
  if (merge && merge.status === 'merged') {
    out.rowsLoaded = merge.rows_loaded ?? out.rowsLoaded;
    out.rowsQuarantined = merge.rows_quarantined ?? out.rowsQuarantined;
    out.inserted = merge.inserted ?? out.inserted;
    out.deleted = merge.deleted ?? out.deleted;
    if (merge.quarantined) out.quarantined = { ...emptyQuarantineCounts(), ...(JSON.parse(merge.quarantined) as Partial<QuarantineCounts>) };
  }
  return out;
}
