/**
 * The GCS lease against the loopback GCS: the lease contract, and the requests it makes — create with
 * ifGenerationMatch=0, take over with the generation read, renew with generation and metageneration
 * preconditions (a 412 means lost), release with its own generation — and a step that waits for a
 * month another execution holds, then fails with who holds it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GcsLeaseStore } from '../../../functions/src/adapters/gcs/lease.js';
import { GcsObjectStore } from '../../../functions/src/adapters/gcs/object-store.js';
import { BigQueryWarehouse } from '../../../functions/src/adapters/bigquery/warehouse.js';
import { stage } from '../../../functions/src/steps/stage/stage.js';
import { leaseKey } from '../../../functions/src/domain/naming.js';
import { leaseContract } from '../contract/lease.contract.js';
import { FakeGcs } from './fake-gcs.js';

const KEY = leaseKey('green', '2020-10');
let gcs: FakeGcs;
let now = 1_000_000;
let leases: GcsLeaseStore;

const contractGcs: FakeGcs[] = [];
afterAll(() => Promise.all(contractGcs.map((g) => g.stop())));
let shared: FakeGcs | undefined;
leaseContract('gcs', (clock) => {
  if (!shared) throw new Error('no fake GCS');
  return new GcsLeaseStore(shared.storage(), `lake-${Math.random().toString(36).slice(2)}`, clock);
});

beforeEach(async () => {
  gcs = await new FakeGcs().start();
  shared = gcs;
  now = 1_000_000;
  leases = new GcsLeaseStore(gcs.storage(), 'lake', () => now);
});
afterEach(() => gcs.stop());

describe('GcsLeaseStore requests', () => {
  it('creates with ifGenerationMatch=0, renews with generation and metageneration, releases with its generation', async () => {
    const { lease } = await leases.acquire(KEY, 'exec-a', 60_000);
    const create = gcs.requests.find((r) => r.method === 'POST' && r.path.startsWith('/upload/'))!;
    expect(create.query.ifGenerationMatch).toBe('0');
    const obj = gcs.objects.get(KEY)!;
    expect(obj.metadata).toEqual({ holder: 'exec-a', since: String(now), expiresAt: String(now + 60_000) });
    expect(lease!.token).toBe(String(obj.generation));
    now += 20_000;
    await lease!.renew();
    const patch = gcs.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.query).toMatchObject({ ifGenerationMatch: String(obj.generation), ifMetagenerationMatch: '1' });
    expect(gcs.objects.get(KEY)!.metadata?.expiresAt).toBe(String(now + 60_000));
    await lease!.renew(); // the second renewal matches the metageneration the first one produced
    expect(gcs.requests.filter((r) => r.method === 'PATCH').map((r) => r.query.ifMetagenerationMatch)).toEqual(['1', '2']);
    await lease!.release();
    const del = gcs.requests.find((r) => r.method === 'DELETE')!;
    expect(del.query.ifGenerationMatch).toBe(String(obj.generation));
    expect(gcs.objects.has(KEY)).toBe(false);
  });

  it('takes over an expired lease with the generation it read; the old holder\'s renewal gets 412 (lost)', async () => {
    const { lease: a } = await leases.acquire(KEY, 'exec-a', 60_000);
    const stale = gcs.objects.get(KEY)!.generation;
    now += 61_000;
    const { lease: b } = await leases.acquire(KEY, 'exec-b', 60_000);
    expect(b).toBeDefined();
    const takeover = gcs.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/upload/')).at(-1)!;
    expect(takeover.query.ifGenerationMatch).toBe(String(stale));
    await expect(a!.renew()).rejects.toThrow('lost the lease on leases/green_tripdata_2020-10.lock: taken over by another execution; nothing was committed');
    const renewal = gcs.requests.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(renewal.query.ifGenerationMatch).toBe(String(stale));
    await a!.release(); // 412: no longer ours
    expect(gcs.objects.get(KEY)!.metadata?.holder).toBe('exec-b');
    await expect(a!.fence(async () => 'zombie commit')).rejects.toThrow(/now held by exec-b/);
  });

  it('a stage step waits for a month held by a live execution, then fails naming it (never a silent skip)', async () => {
    const storage = gcs.storage();
    gcs.seed('raw/green/2020/green_tripdata_2020-10.csv.gz', Buffer.from('x'), { 'taxi-sha256': 'a'.repeat(64), 'taxi-columns': 'VendorID' });
    await leases.acquire(KEY, 'other-execution', 60_000);
    const warehouse = new BigQueryWarehouse({ project: 'test-project', dataset: 'ds', location: 'US', client: () => { throw new Error('must not run a job'); } });
    const slept: number[] = [];
    const deps = {
      store: new GcsObjectStore(storage, 'lake'),
      leases,
      warehouse,
      leaseTtlMs: 60_000,
      leaseWaitMs: 5_000,
      format: 'csv' as const,
      schemaContract: 'freeze' as const,
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    await expect(stage(deps, 'green', '2020-10', 'exec-b')).rejects.toThrow(
      /^green 2020-10 is held by execution other-execution since 1970-01-01T00:16:40\.000Z \(lease renewed until 1970-01-01T00:17:40\.000Z\); still held after waiting 5 s \(TAXI_LEASE_WAIT_MS\)$/,
    );
    expect(slept.length).toBeGreaterThan(3);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(5_000);
  });
});
