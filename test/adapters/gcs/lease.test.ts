import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GcsLeaseStore } from '../../../functions/src/adapters/gcs/lease.js';
import { GcsObjectStore } from '../../../functions/src/adapters/gcs/object-store.js';
import { BigQueryWarehouse } from '../../../functions/src/adapters/bigquery/warehouse.js';
import { stage } from '../../../functions/src/steps/stage/stage.js';
import { leaseKey } from '../../../functions/src/domain/naming.js';
import { FakeGcs } from './fake-gcs.js';

const KEY = leaseKey('green', '2020-10');
let gcs: FakeGcs;
let now = 1_000_000;
let leases: GcsLeaseStore;

beforeEach(async () => {
  gcs = await new FakeGcs().start();
  now = 1_000_000;
  leases = new GcsLeaseStore(gcs.storage(), 'lake', () => now);
});
afterEach(() => gcs.stop());

describe('GcsLeaseStore', () => {
  it('creates the lease with ifGenerationMatch=0 and releases it with its own generation', async () => {
    const lease = await leases.acquire(KEY, 'run-a', 60_000);
    expect(lease).not.toBeNull();
    const create = gcs.requests.find((r) => r.method === 'POST' && r.path.startsWith('/upload/'))!;
    expect(create.query.ifGenerationMatch).toBe('0');
    const obj = gcs.objects.get(KEY)!;
    expect(obj.metadata).toEqual({ holder: 'run-a', expiresAt: String(now + 60_000) });
    await lease!.release();
    const del = gcs.requests.find((r) => r.method === 'DELETE')!;
    expect(del.query.ifGenerationMatch).toBe(String(obj.generation));
    expect(gcs.objects.has(KEY)).toBe(false);
  });

  it('answers null while another run holds a fresh lease', async () => {
    const a = await leases.acquire(KEY, 'run-a', 60_000);
    now += 59_000;
    expect(await leases.acquire(KEY, 'run-b', 60_000)).toBeNull();
    await a!.release();
    expect(await leases.acquire(KEY, 'run-b', 60_000)).not.toBeNull();
  });

  it('breaks a stale lease with the stale generation, and the old holder cannot delete the new one', async () => {
    const a = await leases.acquire(KEY, 'run-a', 60_000);
    const stale = gcs.objects.get(KEY)!.generation;
    now += 61_000;
    const b = await leases.acquire(KEY, 'run-b', 60_000);
    expect(b).not.toBeNull();
    const breaking = gcs.requests.filter((r) => r.method === 'DELETE');
    expect(breaking.map((r) => r.query.ifGenerationMatch)).toEqual([String(stale)]);
    await a!.release(); // 412: no longer ours
    expect(gcs.objects.get(KEY)!.metadata?.holder).toBe('run-b');
  });

  it('makes the stage step answer skipped: locked', async () => {
    const storage = gcs.storage();
    gcs.seed('raw/green/2020/green_tripdata_2020-10.csv.gz', Buffer.from('x'), { 'taxi-sha256': 'a'.repeat(64), 'taxi-columns': 'VendorID' });
    await leases.acquire(KEY, 'other-run', 60_000);
    const warehouse = new BigQueryWarehouse({ project: 'test-project', dataset: 'ds', location: 'US', client: () => { throw new Error('must not run a job'); } });
    const result = await stage({ store: new GcsObjectStore(storage, 'lake'), leases, warehouse, leaseTtlMs: 60_000, format: 'csv', schemaContract: 'freeze' }, 'green', '2020-10');
    expect(result).toEqual({ status: 'skipped', reason: 'locked', taxi: 'green', month: '2020-10' });
  });
});
