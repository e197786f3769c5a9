/**
 * Shared by stage and merge: own the month for the calling execution while working, and find the
 * month's raw object.
 *
 * A month held by another live execution is waited for (bounded, with backoff). Once it is ours, a step
 * that had to wait checks what the other execution did: when the tables now hold exactly the raw file
 * in the lake, loaded after the wait began, the month is `already_loaded` and nothing is redone; when
 * the source changed meanwhile (a newer file landed), the step goes on and loads it. A wait that runs
 * out fails the step with who holds the month: never a silent skip.
 */
import { randomUUID } from 'node:crypto';
import type { Taxi } from '../domain/datasets.js';
import { PipelineError } from '../domain/errors.js';
import type { FileFormat } from '../domain/file-formats.js';
import { isLoadOf, withReasons, type LoadRecord } from '../domain/load-record.js';
import { requireLoadable } from '../domain/loadable.js';
import type { Month } from '../domain/months.js';
import type { MonthRows } from '../domain/summary.js';
import { leaseKey, loadRecordKey, rawObjectKey } from '../domain/naming.js';
import type { SchemaContract } from '../domain/schema-contract.js';
import type { HeldLease, LeaseStore } from '../ports/lease.js';
import type { ObjectStore, StoredObject } from '../ports/object-store.js';
import type { MonthJob, Warehouse } from '../ports/warehouse.js';

export interface WarehouseStepDeps {
  store: ObjectStore;
  leases: LeaseStore;
  warehouse: Warehouse;
  /** How long a lease lives without renewal; the heartbeat renews it every third of that. */
  leaseTtlMs: number;
  /** How long a step waits for a month held by another live execution before it fails. */
  leaseWaitMs: number;
  /** The format of the configured source: which of a month's raw files is loaded. */
  format: FileFormat;
  schemaContract: SchemaContract;
  /** Clock and sleep, for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The tables' last load of the month, when it was of exactly this object, with its quarantine by reason. */
export async function loadOf(store: ObjectStore, taxi: Taxi, month: Month, o: StoredObject): Promise<ReturnType<typeof withReasons> | null> {
  const record = await store.getRecord<LoadRecord>(loadRecordKey(taxi, month));
  return isLoadOf(record, o.meta) ? withReasons(record) : null;
}

/** The answer of a step that waited for another execution which loaded exactly this file. */
export interface AlreadyLoaded extends MonthRows {
  status: 'already_loaded';
  rawUri: string;
  loadedAt: string;
}

/** The job for (taxi, month), asked by execution `run`: its landed raw object must exist. */
export async function monthJob(deps: WarehouseStepDeps, taxi: Taxi, month: Month, run?: string): Promise<MonthJob> {
  requireLoadable(taxi, month);
  const object = await deps.store.head(rawObjectKey(taxi, month, deps.format));
  if (!object) throw new PipelineError('bad_request', `no raw ${deps.format} file for ${taxi} ${month} in the lake: run extract first`);
  return { taxi, month, object, schemaContract: deps.schemaContract, ...(run ? { run } : {}) };
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

/** Wait for the month's lease as `holder`: the lease, and whether another execution held it first. */
async function ownMonth(deps: WarehouseStepDeps, taxi: Taxi, month: Month, holder: string): Promise<{ lease: HeldLease; waitedSince: number | null }> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    const got = await deps.leases.acquire(leaseKey(taxi, month), holder, deps.leaseTtlMs);
    if (got.lease) return { lease: got.lease, waitedSince: attempt === 0 ? null : started };
    const waited = now() - started;
    if (waited >= deps.leaseWaitMs) {
      const b = got.busy;
      throw new PipelineError(
        'busy',
        `${taxi} ${month} is held by execution ${b.holder} since ${iso(b.since)} (lease renewed until ${iso(b.expiresAt)}); still held after waiting ${Math.round(waited / 1000)} s (TAXI_LEASE_WAIT_MS)`,
      );
    }
    // Backoff from 100 ms to 5 s, with jitter, never past the wait budget.
    const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.75 + Math.random() / 2);
    await sleep(Math.max(1, Math.round(Math.min(delay, deps.leaseWaitMs - waited))));
  }
}

/**
 * Run `work` owning (taxi, month) as execution `run` (an ad-hoc holder when there is none), with the
 * lease renewed every third of its TTL. `work` gets the lease to fence its commit with. `since` is when
 * the execution started (epoch ms): a load of exactly the lake's file that ended after it — by a
 * duplicate execution that overlapped this one — makes this one `already_loaded`, whether or not it had
 * to wait for the lease.
 */
export async function withMonthLease<T>(
  deps: WarehouseStepDeps,
  taxi: Taxi,
  month: Month,
  run: string | undefined,
  work: (job: MonthJob, lease: HeldLease) => Promise<T>,
  since?: number,
): Promise<T | AlreadyLoaded> {
  requireLoadable(taxi, month);
  const owned = await ownMonth(deps, taxi, month, run ?? `adhoc-${randomUUID()}`);
  const lease = owned.lease;
  const waitedSince = since !== undefined ? Math.min(since, owned.waitedSince ?? since) : owned.waitedSince;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  try {
    // Read after owning the month: the execution we waited for may have landed a newer file.
    const job = await monthJob(deps, taxi, month, run);
    if (waitedSince !== null) {
      const record = await loadOf(deps.store, taxi, month, job.object);
      if (record && Date.parse(record.loadedAt) >= waitedSince) {
        const { rawUri, rowsInFile, rowsLoaded, rowsQuarantined, quarantined, loadedAt } = record;
        return { status: 'already_loaded', taxi, month, rawUri, rowsInFile, rowsLoaded, rowsQuarantined, quarantined, loadedAt };
      }
    }
    // A failed renewal means the lease was taken over: the fence then refuses the commit.
    heartbeat = setInterval(() => void lease.renew().catch(() => undefined), Math.max(50, Math.floor(deps.leaseTtlMs / 3)));
    heartbeat.unref?.();
    return await work(job, lease);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    await lease.release().catch(() => undefined);
  }
}
