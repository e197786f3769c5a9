/**
 * The cloud path's fencing: a merge whose execution lost the month's GCS lease (its heartbeat stopped,
 * another execution took the month over) must not start its MERGE; the execution that holds the lease
 * does. GCS and BigQuery are the loopback fakes; the step code is the deployed one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BigQueryWarehouse } from '../../../functions/src/adapters/bigquery/warehouse.js';
import { GcsLeaseStore } from '../../../functions/src/adapters/gcs/lease.js';
import { GcsObjectStore } from '../../../functions/src/adapters/gcs/object-store.js';
import { leaseKey } from '../../../functions/src/domain/naming.js';
import type { MonthJob } from '../../../functions/src/ports/warehouse.js';
import type { WarehouseStepDeps } from '../../../functions/src/steps/month-job.js';
import { merge } from '../../../functions/src/steps/merge/merge.js';
import { FakeBigQuery } from '../bigquery/fake-bigquery.js';
import { FakeGcs } from './fake-gcs.js';

let gcs: FakeGcs;
let bq: FakeBigQuery;
let now = 5_000_000;

beforeEach(async () => {
  gcs = await new FakeGcs().start();
  bq = await new FakeBigQuery().start();
  now = 5_000_000;
  gcs.seed('raw/green/2020/green_tripdata_2020-10.csv.gz', Buffer.from('x'), {
    'taxi-sha256': 'a'.repeat(64),
    'taxi-columns': 'VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,store_and_fwd_flag,RatecodeID,PULocationID,DOLocationID,passenger_count,trip_distance,fare_amount,extra,mta_tax,tip_amount,tolls_amount,ehail_fee,improvement_surcharge,total_amount,payment_type,trip_type,congestion_surcharge',
    'taxi-data-lines': '100',
    'taxi-bytes': '1',
  });
  bq.onInsert = (job) => {
    if (/^SELECT IFNULL\(reason/.test(job.configuration.query.query)) job.rows = [{ reason: 'staged', n: 100 }];
    if (/^MERGE INTO/m.test(job.configuration.query.query)) job.statistics = { query: { dmlStats: { insertedRowCount: '100', deletedRowCount: '0' } } };
  };
});
afterEach(async () => {
  await gcs.stop();
  await bq.stop();
});

/** BigQuery with a hook that runs after the counts are read, just before the merge would commit. */
class SlowWarehouse extends BigQueryWarehouse {
  beforeCommit: () => Promise<void> = async () => undefined;
  override async stagedCounts(job: MonthJob) {
    const counts = await super.stagedCounts(job);
    await this.beforeCommit();
    return counts;
  }
}

function deps(warehouse: BigQueryWarehouse): WarehouseStepDeps {
  return {
    store: new GcsObjectStore(gcs.storage(), 'lake'),
    leases: new GcsLeaseStore(gcs.storage(), 'lake', () => now),
    warehouse,
    leaseTtlMs: 60_000,
    leaseWaitMs: 0,
    format: 'csv',
    schemaContract: 'freeze',
    now: () => now,
  };
}

const merges = () => [...bq.jobs.values()].filter((j) => /^MERGE INTO/m.test(j.configuration.query.query));

describe('fenced merge on GCS + BigQuery', () => {
  let newToken = 0n;
  it('a merge whose lease was taken over starts no MERGE; the new holder merges', async () => {
    const warehouse = new SlowWarehouse({ project: 'test-project', dataset: 'ds', location: 'EU', client: () => bq.client(), sleep: async () => undefined });
    const d = deps(warehouse);
    warehouse.beforeCommit = async () => {
      // The zombie stalls past its TTL without a heartbeat; another execution takes the month.
      now += 61_000;
      const taken = await d.leases.acquire(leaseKey('green', '2020-10'), 'exec-new', 60_000);
      expect(taken.lease).toBeDefined();
      newToken = BigInt(taken.lease!.token);
    };
    await expect(merge(d, 'green', '2020-10', 'exec-zombie')).rejects.toThrow(/^lost the lease on leases\/green_tripdata_2020-10\.lock: now held by exec-new; nothing was committed$/);
    expect(merges()).toEqual([]);
    expect(gcs.objects.get('loads/green/green_tripdata_2020-10.json')).toBeUndefined();

    // The new holder, a retry of its own step, takes its lease again at once and merges.
    warehouse.beforeCommit = async () => undefined;
    const r = await merge(d, 'green', '2020-10', 'exec-new');
    expect(r).toMatchObject({ status: 'merged', rowsLoaded: 100, inserted: 100 });
    // ONE script: the fence, the month's MERGE and the quarantine's, in one transaction
    expect(merges()).toHaveLength(1);
    const script = merges()[0]!.configuration.query;
    expect(script.query).toMatch(/^BEGIN TRANSACTION;[\s\S]*^MERGE INTO `test-project\.ds\.green_tripdata` [\s\S]*^MERGE INTO `test-project\.ds\.green_tripdata_quarantine` [\s\S]*^COMMIT TRANSACTION;/m);
    const token = script.queryParameters!.find((p) => p.name === 'fence_token')!.parameterValue.value;
    // the lease's generation: exec-new's, which outgrew the zombie's
    expect(BigInt(token!)).toBeGreaterThanOrEqual(newToken);
  });

  it('a zombie that passed the check before its job started is refused inside the transaction', async () => {
    // The fence table's semantics (claim with a token unless a newer one committed, then check) run
    // for real in test/sql/fence.test.ts through ZetaSQL's evaluator; here the loopback BigQuery keeps
    // the table's rows and answers the check the same way, so the whole path is exercised: the lease's
    // generation becomes the script's token, the ERROR becomes a lost lease, and nothing is recorded.
    const fences = new Map<string, { token: bigint; holder: string }>();
    bq.onInsert = (job) => {
      const q = job.configuration.query;
      if (/^SELECT IFNULL\(reason/.test(q.query)) job.rows = [{ reason: 'staged', n: 100 }];
      if (!/^BEGIN TRANSACTION;/m.test(q.query) || job.id.startsWith('script_job_')) return;
      const p = Object.fromEntries((q.queryParameters ?? []).map((x) => [x.name, x.parameterValue.value]));
      const key = `${p.taxi} ${p.month}`;
      const token = BigInt(p.fence_token!);
      const held = fences.get(key);
      if (held && held.token > token) {
        job.pollsUntilDone = 1;
        job.error = { reason: 'invalidQuery', message: `Query error: lease lost: ${key} was committed by execution ${held.holder} with lease token ${held.token}, newer than this execution's ${token}; nothing was committed at [20:3]` };
        return;
      }
      fences.set(key, { token, holder: p.fence_holder! });
      job.children = [{ id: `script_job_${job.id}_4`, configuration: { query: { query: 'MERGE INTO `test-project.ds.green_tripdata` AS t' } }, polls: 0, pollsUntilDone: 0, statistics: { query: { dmlStats: { insertedRowCount: '100', deletedRowCount: '0' } } } }];
    };
    const zombie = new BigQueryWarehouse({ project: 'test-project', dataset: 'ds', location: 'EU', client: () => bq.client(), sleep: async () => undefined });
    // The zombie's check-before passes; then, before its job starts, it stalls past its TTL, a new
    // execution takes the month over and commits it.
    zombie.runJob = (async function (this: BigQueryWarehouse, job, s) {
      if (s.step === 'merge' && job.run === 'exec-zombie') {
        now += 61_000;
        const fresh = await merge(deps(new BigQueryWarehouse({ project: 'test-project', dataset: 'ds', location: 'EU', client: () => bq.client(), sleep: async () => undefined })), 'green', '2020-10', 'exec-new');
        expect(fresh).toMatchObject({ status: 'merged' });
      }
      return BigQueryWarehouse.prototype.runJob.call(this, job, s);
    }) as BigQueryWarehouse['runJob'];
    const d = deps(zombie);
    await expect(merge(d, 'green', '2020-10', 'exec-zombie')).rejects.toThrow(/^lease lost: green 2020-10 was committed by execution exec-new with lease token \d+, newer than this execution's \d+; nothing was committed$/);
    expect(fences.get('green 2020-10')?.holder).toBe('exec-new');
    // the load record is the new holder's
    expect(gcs.objects.has('loads/green/green_tripdata_2020-10.json')).toBe(true);
  });
});
