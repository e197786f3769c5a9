/**
 * The merge step: reconcile, then atomically replace the month with the staged rows.
 */
import type { Taxi } from '../../domain/datasets.js';
import type { Month } from '../../domain/months.js';
import { totalQuarantined } from '../../domain/quarantine.js';
import type { LoadRecord } from '../../domain/load-record.js';
import { loadRecordKey } from '../../domain/naming.js';
import { reconcile, type MonthRows } from '../../domain/summary.js';
import { withMonthLease, type AlreadyLoaded, type WarehouseStepDeps } from '../month-job.js';

export interface MergeResult extends MonthRows {
  status: 'merged';
  rawUri: string;
  inserted: number;
  deleted: number;
  bytesProcessed?: number;
}

/** Reconcile, then replace the month with the staged rows, owning the month as execution `run`. */
export async function merge(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string, since?: number): Promise<MergeResult | AlreadyLoaded> {
  return withMonthLease(deps, taxi, month, run, async (job, lease) => {
    // A newer file landed after this execution staged (another execution extracted a republished month
    // meanwhile): stage that file now, under the same lease, so what is merged is the file in the lake.
    const stagedFrom = await deps.warehouse.stagedSource(job);
    if (stagedFrom !== null && stagedFrom !== job.object.meta.sha256) await deps.warehouse.stage(job, lease);
    const counts = await deps.warehouse.stagedCounts(job);
    reconcile(job.object.meta.dataLines, counts);
    const merged = await deps.warehouse.replaceMonth(job, lease);
    // The month holds exactly the staged rows once the replacement committed.
    const rows: MonthRows = {
      taxi,
      month,
      rowsInFile: job.object.meta.dataLines,
      rowsLoaded: counts.staged,
      rowsQuarantined: totalQuarantined(counts.quarantined),
      quarantined: counts.quarantined,
    };
    const record: LoadRecord = {
      ...rows,
      rawUri: job.object.uri,
      generation: job.object.generation,
      sha256: job.object.meta.sha256,
      etag: job.object.meta.etag,
      loadedAt: new Date().toISOString(),
    };
    await deps.store.putRecord(loadRecordKey(taxi, month), record);
    return {
      status: 'merged' as const,
      ...rows,
      rawUri: job.object.uri,
      inserted: merged.inserted,
      deleted: merged.deleted,
      ...(merged.bytesProcessed !== undefined ? { bytesProcessed: merged.bytesProcessed } : {}),
    };
  }, since);
}
