/**
 * Shared by stage and merge: find the month's raw object and hold the month's lease while working.
 */
import { randomUUID } from 'node:crypto';
import type { Taxi } from '../domain/datasets.js';
import { PipelineError } from '../domain/errors.js';
import type { FileFormat } from '../domain/file-formats.js';
import { requireLoadable } from '../domain/loadable.js';
import type { SchemaContract } from '../domain/schema-contract.js';
import type { Month } from '../domain/months.js';
import { leaseKey, rawObjectKey } from '../domain/naming.js';
import type { LeaseStore } from '../ports/lease.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { MonthJob, Warehouse } from '../ports/warehouse.js';

export interface WarehouseStepDeps {
  store: ObjectStore;
  leases: LeaseStore;
  warehouse: Warehouse;
  leaseTtlMs: number;
  /** The format of the configured source: which of a month's raw files is loaded. */
  format: FileFormat;
  schemaContract: SchemaContract;
}

/** The answer of a step that found the month locked by another execution. */
export interface Skipped {
  status: 'skipped';
  reason: 'locked';
  taxi: Taxi;
  month: Month;
}

/** The job for (taxi, month), asked by execution `run`: its landed raw object must exist. */
export async function monthJob(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string): Promise<MonthJob> {
  requireLoadable(taxi, month);
  const object = await deps.store.head(rawObjectKey(taxi, month, deps.format));
  if (!object) throw new PipelineError('bad_request', `no raw ${deps.format} file for ${taxi} ${month} in the lake: run extract first`);
  return { taxi, month, object, schemaContract: deps.schemaContract, ...(run ? { run } : {}) };
}

/** Run `work` holding the (taxi, month) lease, or answer `skipped: locked`. */
export async function withMonthLease<T>(deps: WarehouseStepDeps, taxi: Taxi, month: Month, work: () => Promise<T>): Promise<T | Skipped> {
  const lease = await deps.leases.acquire(leaseKey(taxi, month), randomUUID(), deps.leaseTtlMs);
  if (!lease) return { status: 'skipped', reason: 'locked', taxi, month };
  try {
    return await work();
  } finally {
    await lease.release();
  }
}
