/**
 * The stage step: rebuild the month's staging table from its raw object, every line staged or
 * quarantined with one reason.
 */
import type { Taxi } from '../../domain/datasets.js';
import type { Month } from '../../domain/months.js';
import type { QuarantineCounts } from '../../domain/quarantine.js';
import { totalQuarantined } from '../../domain/quarantine.js';
import { plainTextKey } from '../../domain/naming.js';
import { formatOf, type PlainObject } from '../../ports/object-store.js';
import type { MonthJob } from '../../ports/warehouse.js';
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

/**
 * The inflated text extract kept of the job's raw file, when the warehouse reads one and it is the text
 * of exactly this file (same sha256): a text left by an older version of the month is not used.
 */
async function plainTextOf(deps: WarehouseStepDeps, job: MonthJob): Promise<PlainObject | null> {
  if (deps.warehouse.plainTextLines === 0) return null;
  const key = plainTextKey(job.taxi, job.month, formatOf(job.object.meta));
  const text = key ? await deps.store.head(key) : null;
  if (!text || text.meta.sha256 !== job.object.meta.sha256 || text.meta.bytes !== job.object.meta.bytes) return null;
  // The file's own generation, which `remove` checks (a text written again meanwhile is left alone).
  return deps.store.stat(text.key);
}

/** Rebuild the month's staging table from its raw object, owning the month as execution `run`. */
export async function stage(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string, since?: number): Promise<StageResult | AlreadyLoaded> {
  return withMonthLease(deps, taxi, month, run, async (job, lease) => {
    const text = await plainTextOf(deps, job);
    const counts = await deps.warehouse.stage(text ? { ...job, plainText: text.uri } : job, lease);
    // The text was scratch for this stage: a failed stage keeps it for the retry, and the next
    // extract of the month replaces it.
    if (text) await deps.store.remove(text.key, text.generation).catch(() => false);
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
