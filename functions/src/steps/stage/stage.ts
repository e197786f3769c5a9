/**
 * The stage step: rebuild the month's staging table from its raw object, every line staged or
 * quarantined with one reason.
 */
import type { Taxi } from '../../domain/datasets.js';
import type { Month } from '../../domain/months.js';
import type { QuarantineCounts } from '../../domain/quarantine.js';
import { totalQuarantined } from '../../domain/quarantine.js';
import { monthJob, withMonthLease, type Skipped, type WarehouseStepDeps } from '../month-job.js';

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

export async function stage(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string): Promise<StageResult | Skipped> {
  const job = await monthJob(deps, taxi, month, run);
  return withMonthLease(deps, taxi, month, async () => {
    const counts = await deps.warehouse.stage(job);
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
  });
}
