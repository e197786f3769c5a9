/**
 * The stage step: rebuild the month's staging table from its raw object, every line staged or
 * quarantined with one reason.
 */
import type { Taxi } from '../../domain/datasets.js';
import type { Month } from '../../domain/months.js';
import type { QuarantineCounts } from '../../domain/quarantine.js';
import { totalQuarantined } from '../../domain/quarantine.js';
import { withMonthLease, type AlreadyLoaded, type WarehouseStepDeps } from '../month-job.js';

export interface StageResult {
  status: 'staged';
  taxi: Taxi;
  month: Month;
  rawUri: string;
  rowsInFile: number;
  staged: number;
  rowsQuarantined: number;
  quarantined: QuarantineCounts;
  bytesProcessed?: number;
}

/** Rebuild the month's staging table from its raw object, owning the month as execution `run`. */
export async function stage(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string, since?: number): Promise<StageResult | AlreadyLoaded> {
  return withMonthLease(deps, taxi, month, run, async (job, lease) => {
    const counts = await deps.warehouse.stage(job, lease);
    return {
      status: 'staged' as const,
      taxi,
      month,
      rawUri: job.object.uri,
      rowsInFile: job.object.meta.dataLines,
      staged: counts.staged,
      rowsQuarantined: totalQuarantined(counts.quarantined),
      quarantined: counts.quarantined,
      ...(counts.bytesProcessed !== undefined ? { bytesProcessed: counts.bytesProcessed } : {}),
    };
  }, since);
}
