import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BigQueryWarehouse, jobIdFor, lostCreateRace, placeholderObject } from '../../../functions/src/adapters/bigquery/warehouse.js';
import type { MonthJob } from '../../../functions/src/ports/warehouse.js';
import type { LedgerEntry } from '../../../functions/src/domain/ledger.js';
import { FakeBigQuery, type FakeJob } from './fake-bigquery.js';
import { LeaseLostError } from '../../../functions/src/domain/errors.js';

const JOB: MonthJob = { taxi: 'green', month: '2020-10', object: placeholderObject('green', '2020-10', 'csv', 'lake', '1712345678901234.17') };
let bq: FakeBigQuery;
let warehouse: BigQueryWarehouse;

const inserts = () => bq.requests.filter((r) => r.method === 'POST');

/** The child job of a script's MERGE into the main table, as jobs.list reports it. */
const mainMergeChild = (parent: string, inserted: string, deleted: string): FakeJob => ({
  id: `script_job_${parent}_4`,
  configuration: { query: { query: '-- name: merge\nMERGE INTO `test-project.nyc_taxi.green_tripdata` AS t\nUSING (SELECT 1)' } },
  polls: 0,
  pollsUntilDone: 0,
  statistics: { query: { statementType: 'MERGE', dmlStats: { insertedRowCount: inserted, deletedRowCount: deleted } } },
});

beforeEach(async () => {
  bq = await new FakeBigQuery().start();
  warehouse = new BigQueryWarehouse({ project: 'test-project', dataset: 'nyc_taxi', location: 'EU', client: () => bq.client(), sleep: async () => undefined });
  bq.onInsert = (job: FakeJob) => {
    if (/^SELECT IFNULL\(reason/.test(job.configuration.query.query)) {
      job.rows = [
        { reason: 'staged', n: 90 },
        { reason: 'malformed', n: 3 },
        { reason: 'duplicate', n: 7 },
      ];
    }
    if (job.id.startsWith('script_job_') && /^MERGE INTO `test-project\.nyc_taxi\.green_tripdata` /m.test(job.configuration.query.query)) {
      // the main MERGE, a child job of the merge script
      job.statistics = { query: { statementType: 'MERGE', numDmlAffectedRows: '150', dmlStats: { insertedRowCount: '90', deletedRowCount: '60' } } };
    } else if (job.id.includes('_merge')) {
      job.statistics = { totalBytesProcessed: '5000', query: { totalBytesProcessed: '5000', statementType: 'SCRIPT' } };
    } else if (!job.id.startsWith('script_job_')) {
      job.statistics = { totalBytesProcessed: '100', query: { totalBytesProcessed: '100' } };
    }
  };
});
afterEach(() => bq.stop());

describe('BigQueryWarehouse jobs', () => {
  it('stages with deterministic job IDs, labels and query parameters, then counts', async () => {
    const counts = await warehouse.stage(JOB);
    const posted = inserts().map((r) => r.json as { jobReference: { jobId: string; location: string }; configuration: FakeJob['configuration'] });
    const ids = posted.map((p) => p.jobReference.jobId);
    expect(ids.slice(0, 6)).toEqual([
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_tables',
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_tables_2',
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_tables_3',
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_tables_4',
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_external',
      'taxi_elt_green_tripdata_staging_2020_10_g1712345678901234_17_stage',
    ]);
    expect(ids[0]).toBe(jobIdFor('green', '2020-10', JOB.object.generation, 'tables', 0));
    for (const p of posted) expect(p.jobReference.location).toBe('EU');
    const stageJob = posted[5]!;
    expect(stageJob.configuration.labels).toEqual({ app: 'nyc-taxi-elt', taxi: 'green', month: '2020-10', step: 'stage' });
    expect(stageJob.configuration.query.parameterMode).toBe('NAMED');
    expect(stageJob.configuration.query.queryParameters).toEqual(
      expect.arrayContaining([
        { name: 'month_start', parameterType: { type: 'DATETIME' }, parameterValue: { value: '2020-10-01 00:00:00' } },
        { name: 'month_end', parameterType: { type: 'DATETIME' }, parameterValue: { value: '2020-11-01 00:00:00' } },
        { name: 'filename', parameterType: { type: 'STRING' }, parameterValue: { value: 'green_tripdata_2020-10.csv.gz' } },
        { name: 'month', parameterType: { type: 'STRING' }, parameterValue: { value: '2020-10' } },
      ]),
    );
    expect(stageJob.configuration.query.query).toContain('@month_start');
    expect(stageJob.configuration.query.query).not.toContain("'2020-10-01");
    expect(posted[6]!.configuration.labels?.step).toBe('count');
    // six statements of 100 bytes each: four for the tables (create, add columns, quarantine, fences), external, stage
    expect(counts).toMatchObject({ staged: 90, quarantined: { malformed: 3, invalid_value: 0, outside_month: 0, duplicate: 7 }, bytesProcessed: 600 });
    expect(counts.jobIds).toEqual(ids.slice(0, 6));
  });

  it('tells which raw file the staging was built from by the table\'s description, without a query job', async () => {
    expect(await warehouse.stagedSource(JOB)).toBeNull(); // no staging table yet: 404
    bq.tables.set('nyc_taxi.green_tripdata_staging_2020_10', { description: `raw sha256 ${'ab'.repeat(32)}` });
    expect(await warehouse.stagedSource(JOB)).toBe('ab'.repeat(32));
    expect(inserts()).toEqual([]);
  });

  it('replaces the month in ONE script job holding one transaction, and counts from the main MERGE\'s child job', async () => {
    const lease = { token: '1712345678901234', holder: 'exec-7', fence: <T>(commit: () => Promise<T>) => commit() };
    const merged = await warehouse.replaceMonth({ ...JOB, run: 'exec-7' }, lease);
    const posted = inserts().map((r) => r.json as { jobReference: { jobId: string }; configuration: FakeJob['configuration'] });
    expect(posted.map((p) => p.configuration.labels?.step)).toEqual(['merge']);
    const script = posted[0]!.configuration.query;
    // BEGIN, the fence (claim, first row, check), the main MERGE, the quarantine MERGE, COMMIT: in that order
    const kinds = script.query.split(/;\s*\n/).map((t) => t.replace(/^\s*--.*$/gm, '').trim().split(/\s+/).slice(0, 3).join(' ')).filter(Boolean);
    expect(kinds).toEqual([
      'BEGIN TRANSACTION',
      'UPDATE `test-project.nyc_taxi.month_fences` SET',
      'INSERT INTO `test-project.nyc_taxi.month_fences`',
      'SELECT IF( COUNTIF(token',
      'MERGE INTO `test-project.nyc_taxi.green_tripdata`',
      'MERGE INTO `test-project.nyc_taxi.green_tripdata_quarantine`',
      'COMMIT TRANSACTION;',
    ]);
    const p = Object.fromEntries(script.queryParameters!.map((q) => [q.name, q]));
    expect(p.fence_token).toEqual({ name: 'fence_token', parameterType: { type: 'INT64' }, parameterValue: { value: '1712345678901234' } });
    expect(p.fence_holder!.parameterValue).toEqual({ value: 'exec-7' });
    expect(p.taxi!.parameterValue).toEqual({ value: 'green' });
    expect(merged).toMatchObject({ inserted: 90, deleted: 60, bytesProcessed: 5000 });
    // the counts came from jobs.list of the script's children
    expect(bq.requests.some((r) => r.method === 'GET' && r.query.parentJobId === posted[0]!.jobReference.jobId)).toBe(true);
  });

  it('without a lease the transaction has no fence statements', async () => {
    await warehouse.replaceMonth(JOB);
    const script = (inserts()[0]!.json as { configuration: FakeJob['configuration'] }).configuration.query.query;
    expect(script).toMatch(/^BEGIN TRANSACTION;/m);
    expect(script).toMatch(/^COMMIT TRANSACTION;/m);
    expect(script).not.toContain('month_fences');
  });

  it('a transaction whose fence finds a newer token fails as a lost lease, and is not retried', async () => {
    const message = "Query error: lease lost: green 2020-10 was committed by execution exec-new with lease token 9, newer than this execution's 7; nothing was committed at [22:3]";
    bq.onInsert = (job) => {
      // the fence check's child fails, so the script does, once it runs (a poll after jobs.insert)
      if (job.id.startsWith('script_job_') && /^SELECT IF\(/m.test(job.configuration.query.query)) job.error = { reason: 'invalidQuery', message };
      if (!job.id.startsWith('script_job_')) job.pollsUntilDone = 1;
    };
    const lease = { token: '7', holder: 'exec-old', fence: <T>(commit: () => Promise<T>) => commit() };
    const err = await warehouse.replaceMonth({ ...JOB, run: 'exec-old' }, lease).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((err as Error).message).toBe("lease lost: green 2020-10 was committed by execution exec-new with lease token 9, newer than this execution's 7; nothing was committed");
    expect(inserts().length).toBe(1);
  });

  it('a transaction aborted by a concurrent one is run again under _r2', async () => {
    let aborted = false;
    const onInsert = bq.onInsert;
    bq.onInsert = (job) => {
      onInsert(job);
      if (!aborted && job.id.includes('_merge') && !job.id.startsWith('script_job_')) {
        aborted = true;
        job.pollsUntilDone = 1;
        job.error = { reason: 'invalidQuery', message: 'Transaction is aborted due to concurrent update against table test-project:nyc_taxi.month_fences.' };
      }
    };
    const lease = { token: '7', holder: 'exec-1', fence: <T>(commit: () => Promise<T>) => commit() };
    const merged = await warehouse.replaceMonth({ ...JOB, run: 'exec-1' }, lease);
    const ids = inserts().map((r) => (r.json as { jobReference: { jobId: string } }).jobReference.jobId);
    expect(ids).toEqual([jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0, 'exec-1'), `${jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0, 'exec-1')}_r2`]);
    expect(merged).toMatchObject({ inserted: 90, deleted: 60, jobIds: [ids[1]] });
  });

  it('a retried call finds the running MERGE (409) and waits for it instead of starting another', async () => {
    const mergeId = jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0);
    bq.seed({
      id: mergeId,
      pollsUntilDone: 3,
      statistics: { totalBytesProcessed: '7000', query: { totalBytesProcessed: '7000' } },
      children: [mainMergeChild(mergeId, '11', '4')],
    });
    const merged = await warehouse.replaceMonth(JOB);
    const mergePosts = bq.requests.filter((r) => r.method === 'POST' && (r.json as { jobReference: { jobId: string } }).jobReference.jobId.startsWith(mergeId));
    expect(mergePosts.map((r) => r.status)).toEqual([409]);
    const gets = bq.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${mergeId}`));
    expect(gets.length).toBe(3);
    expect(merged).toMatchObject({ inserted: 11, deleted: 4 });
    expect(merged.jobIds?.[0]).toBe(mergeId);
  });

  it('jobs are scoped to the calling execution: a retry joins its job, a later execution runs its own', async () => {
    const first = { ...JOB, run: 'exec-1' };
    const mergeId = jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0, 'exec-1');
    expect(mergeId).toMatch(/_merge_xexec-1$/);
    bq.seed({ id: mergeId, statistics: { query: {} }, children: [mainMergeChild(mergeId, '5', '0')] });
    expect((await warehouse.replaceMonth(first)).jobIds?.[0]).toBe(mergeId);
    const later = await warehouse.replaceMonth({ ...JOB, run: 'exec-2' });
    expect(later.jobIds?.[0]).toBe(jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0, 'exec-2'));
    expect(bq.jobs.has(later.jobIds![0]!)).toBe(true);
  });

  it('an earlier job with the same ID that failed is run again under _r2', async () => {
    const mergeId = jobIdFor('green', '2020-10', JOB.object.generation, 'merge', 0);
    bq.seed({ id: mergeId, error: { reason: 'backendError', message: 'boom' } });
    const merged = await warehouse.replaceMonth(JOB);
    expect(merged.jobIds?.[0]).toBe(`${mergeId}_r2`);
    expect(bq.jobs.get(`${mergeId}_r2`)!.configuration.labels?.step).toBe('merge');
  });

  it('a job that fails reports its error', async () => {
    bq.onInsert = (job) => {
      job.error = { reason: 'invalidQuery', message: 'Unrecognized name: x' };
    };
    await expect(warehouse.stage(JOB)).rejects.toThrow(/taxi_elt_green_tripdata_staging_2020_10_g\S+_tables \(tables\).*Unrecognized name: x/);
  });
});

describe('a CREATE ... IF NOT EXISTS that loses a race', () => {
  it('is done when BigQuery answers "Already Exists": the stage goes on', async () => {
    const onInsert = bq.onInsert;
    bq.onInsert = (job: FakeJob) => {
      onInsert(job);
      if (/^CREATE TABLE IF NOT EXISTS `test-project\.nyc_taxi\.green_tripdata_quarantine`/m.test(job.configuration.query.query)) {
        job.error = { reason: 'duplicate', message: 'Already Exists: Table test-project:nyc_taxi.green_tripdata_quarantine' };
      }
    };
    await expect(warehouse.stage(JOB)).resolves.toMatchObject({ staged: 90 });
  });

  it('is told apart from other statements and other errors', () => {
    const create = '-- name: create\nCREATE TABLE IF NOT EXISTS `p.d.t` (a INT64)\nPARTITION BY DATE(x);\n';
    expect(lostCreateRace(create, 'BigQuery job j failed: Already Exists: Table p:d.t')).toBe(true);
    expect(lostCreateRace(create, 'Not found: Dataset p:d')).toBe(false);
    // The job itself exists (a retried call): that one must be waited for, not taken as done.
    expect(lostCreateRace(create, 'Already Exists: Job p:EU.taxi_elt_x_tables')).toBe(false);
    expect(lostCreateRace('CREATE TABLE `p.d.t` (a INT64)', 'Already Exists: Table p:d.t')).toBe(false);
    expect(lostCreateRace('CREATE TABLE IF NOT EXISTS `p.d.t` (a INT64); INSERT INTO `p.d.t` VALUES (1)', 'Already Exists: Table p:d.t')).toBe(false);
  });
});

/** A ledger row of `step` with no counts. */
const stepEntry = (step: string): LedgerEntry => ({
  execution_id: 'exec-1', workflow: 'schedule', taxi: 'green', month: '2020-10', step,
  started_at: '2026-12-04T10:00:00.000Z', ended_at: '2026-12-04T10:00:05.000Z', status: 'ok',
  rows_in_file: null, rows_loaded: null, rows_quarantined: null, quarantined: null, inserted: null, deleted: null, bytes: null,
  source_url: null, etag: null, sha256: null, error: null,
});

describe('offline construction', () => {
  it('appends a ledger row as a parameterized INSERT, NULLs typed and without a value', async () => {
    await warehouse.append({
      execution_id: 'exec-1', workflow: 'schedule', taxi: 'green', month: '2020-10', step: 'merge',
      started_at: '2026-12-04T10:00:00.000Z', ended_at: '2026-12-04T10:00:05.000Z', status: 'merged',
      rows_in_file: 100, rows_loaded: 90, rows_quarantined: 10, quarantined: '{"duplicate":10}', inserted: 90, deleted: 0, bytes: null,
      source_url: null, etag: null, sha256: null, error: null,
    });
    const posted = inserts().map((r) => r.json as { configuration: FakeJob['configuration'] });
    expect(posted[0]!.configuration.query.query).toMatch(/^CREATE TABLE IF NOT EXISTS `test-project\.nyc_taxi\.pipeline_runs`/m);
    const append = posted[1]!.configuration.query;
    expect(append.query).toMatch(/INSERT INTO `test-project\.nyc_taxi\.pipeline_runs` \(`execution_id`, [^)]*`error`\)\nVALUES \(@execution_id, [^)]*@error\)/);
    const p = Object.fromEntries(append.queryParameters!.map((q) => [q.name, q]));
    expect(p.rows_loaded).toEqual({ name: 'rows_loaded', parameterType: { type: 'INT64' }, parameterValue: { value: '90' } });
    expect(p.started_at).toEqual({ name: 'started_at', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2026-12-04T10:00:00.000Z' } });
    expect(p.bytes).toEqual({ name: 'bytes', parameterType: { type: 'INT64' }, parameterValue: {} });
    expect(p.error).toEqual({ name: 'error', parameterType: { type: 'STRING' }, parameterValue: {} });
  });

  it('creates the ledger table once, however many rows are appended at once', async () => {
    await Promise.all([warehouse.append(stepEntry('catalog')), warehouse.append(stepEntry('extract'))]);
    await warehouse.append(stepEntry('stage'));
    const queries = inserts().map((r) => (r.json as { configuration: FakeJob['configuration'] }).configuration.query.query);
    expect(queries.filter((q) => /^CREATE TABLE IF NOT EXISTS/m.test(q))).toHaveLength(1);
    expect(queries.filter((q) => /^INSERT INTO/m.test(q))).toHaveLength(3);
  });

  it('takes a CREATE that lost the race to another ("Already Exists") as done, and creates again after a failed append', async () => {
    const entry = stepEntry('extract');
    let failInsert = true;
    bq.onInsert = (job: FakeJob) => {
      const q = job.configuration.query.query;
      if (/^CREATE TABLE IF NOT EXISTS/m.test(q)) job.error = { reason: 'duplicate', message: 'Already Exists: Table test-project:nyc_taxi.pipeline_runs' };
      if (/^INSERT INTO/m.test(q) && failInsert) job.error = { reason: 'notFound', message: 'Not found: Table test-project:nyc_taxi.pipeline_runs' };
    };
    await expect(warehouse.append(entry)).rejects.toThrow(/Not found: Table/);
    failInsert = false;
    await warehouse.append(entry);
    const queries = inserts().map((r) => (r.json as { configuration: FakeJob['configuration'] }).configuration.query.query);
    expect(queries.map((q) => (/^CREATE/m.test(q) ? 'create' : 'insert'))).toEqual(['create', 'insert', 'create', 'insert']);
  });

  it('reads the ledger back with the filter as parameters, into entries a status grid folds', async () => {
    const { LEDGER_COLUMNS } = await import('../../../functions/src/domain/ledger.js');
    const { monthState } = await import('../../../functions/src/domain/ledger.js');
    const value: Record<string, string | null> = {
      execution_id: 'exec-9', workflow: 'schedule', taxi: 'green', month: '2020-10', step: 'merge',
      started_at: '2026-12-04T10:00:00.000Z', ended_at: '2026-12-04T10:00:05.000Z', status: 'merged',
      rows_in_file: '100', rows_loaded: '90', rows_quarantined: '10', quarantined: '{"duplicate":10}', inserted: '90', deleted: '0',
      bytes: null, source_url: null, etag: null, sha256: null, error: null,
    };
    bq.onInsert = (job: FakeJob) => {
      if (/^SELECT/m.test(job.configuration.query.query.replace(/^--.*$/gm, '').trim())) {
        job.result = {
          fields: LEDGER_COLUMNS.map((c) => ({ name: c.name, type: c.kind === 'integer' ? 'INTEGER' : 'STRING' })),
          rows: [LEDGER_COLUMNS.map((c) => value[c.name] ?? null)],
        };
      }
    };
    const entries = await warehouse.read({ taxi: 'green', to: '2020-12' });
    expect(entries).toEqual([{ ...value, rows_in_file: 100, rows_loaded: 90, rows_quarantined: 10, inserted: 90, deleted: 0 }]);
    const read = inserts().map((r) => r.json as { configuration: FakeJob['configuration'] }).at(-1)!.configuration.query;
    expect(read.query).toMatch(/FROM `test-project\.nyc_taxi\.pipeline_runs`/);
    expect(Object.fromEntries(read.queryParameters!.map((q) => [q.name, q.parameterValue]))).toEqual({ taxi: { value: 'green' }, from_month: {}, to_month: { value: '2020-12' } });
    expect(monthState('green', '2020-10', entries, false)).toMatchObject({ state: 'loaded', rowsLoaded: 90, rowsQuarantined: 10 });
  });

  it('plans without credentials or network', () => {
    const w = new BigQueryWarehouse({ project: 'test-project', dataset: 'nyc_taxi', location: 'EU', client: () => { throw new Error('no client for plan'); } });
    expect(w.plan(JOB).map((s) => s.step)).toEqual([...Array(4).fill('tables'), 'external', 'stage', 'count', 'count', ...Array(5).fill('merge'), 'quarantine', 'quarantine']);
  });

  it('refuses identifiers that are not names', () => {
    expect(() => new BigQueryWarehouse({ project: 'test-project', dataset: 'x; DROP TABLE y', location: 'EU' })).toThrow(/dataset/);
  });

  it('gcpAdapters builds every adapter from config.gcp without touching the network', async () => {
    const { gcpAdapters } = await import('../../../functions/src/adapters/gcp.js');
    const adapters = await gcpAdapters({
      target: 'gcp',
      sourceUrl: 'http://x',
      zonesUrl: 'http://x/misc/taxi_zone_lookup.csv',
      source: { given: 'http://x', template: 'http://x/{taxi}/{taxi}_tripdata_{YYYY}-{MM}.csv.gz', format: 'csv' },
      schemaContract: 'freeze',
      scheduleWindow: 3,
      leaseWaitMs: 600_000,
      http: { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, deadlineMs: 120_000 },
      dataDir: '/tmp',
      httpRetries: 0,
      retryBaseMs: 0,
      monthLag: 1,
      duckdbMemoryLimit: "512MB",
      plainText: true,
      alertWebhook: null,
      workflowsDir: null,
      leaseTtlMs: 1000,
      gcp: { project: 'test-project', location: 'EU', dataset: 'nyc_taxi', bucket: 'lake' },
    });
    expect(adapters.warehouse.dialect).toBe('bigquery');
    expect(adapters.warehouse.plan(JOB)[0]!.sql).toContain('`test-project.nyc_taxi.green_tripdata`');
  });
});
