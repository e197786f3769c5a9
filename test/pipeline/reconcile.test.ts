/**
 * Merge reconciles before it commits: when the lines extract counted do not equal staged + quarantined,
 * it answers 409 with both figures and leaves the tables as they were.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { startLocalStack } from '../../functions/src/local/run-month.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { fingerprint, query, run, source, testConfig } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('a count that does not reconcile fails the merge and changes nothing', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  try {
    expect((await run(server.url, tmp.dir, 'green', '2020-10')).status).toBe('succeeded');
    const before = await fingerprint(tmp.dir, 'green_tripdata');
    // The landed file's metadata now claims one line more than the file holds.
    const sidecar = join(tmp.dir, 'lake/raw/green/2020/green_tripdata_2020-10.csv.gz.meta.json');
    const side = JSON.parse(readFileSync(sidecar, 'utf8'));
    side.meta.dataLines = 95_121;
    writeFileSync(sidecar, JSON.stringify(side));
    const stack = await startLocalStack(testConfig(server.url, tmp.dir));
    try {
      const post = async (fn: 'stage' | 'merge') => {
        const res = await request(stack.urls[fn], { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"taxi":"green","month":"2020-10"}' });
        return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
      };
      expect(await post('stage')).toMatchObject({ status: 200, body: { staged: 95_111, rowsInFile: 95_121 } });
      expect(await post('merge')).toEqual({
        status: 409,
        body: {
          kind: 'reconcile',
          error: 'reconciliation failed: extract counted 95121 data lines but staging holds 95111 staged + 9 quarantined = 95120; tables left unchanged',
        },
      });
    } finally {
      await stack.close();
    }
    expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(before);
  } finally {
    await server.close();
  }
});

it('merge before any stage answers 400 and changes nothing', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  const dir = tempDir();
  const stack = await startLocalStack(testConfig(server.url, dir.dir));
  try {
    const post = async (fn: 'extract' | 'merge') => {
      const res = await request(stack.urls[fn], { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"taxi":"green","month":"2020-10"}' });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    expect(await post('extract')).toMatchObject({ status: 200, body: { status: 'extracted' } });
    expect(await post('merge')).toEqual({ status: 400, body: { kind: 'bad_request', error: 'nothing is staged for green 2020-10: run stage first' } });
  } finally {
    await stack.close();
    await server.close();
  }
  // Nothing but the run ledger's record of the two attempts: no table, no staging, no partition.
  expect(readdirSync(dir.dir).sort()).toEqual(['functions.log', 'lake', 'warehouse.duckdb']);
  const tables = await query(dir.dir, "SELECT table_name FROM information_schema.tables ORDER BY 1");
  expect(tables.map((t) => t.table_name)).toEqual(['pipeline_runs']);
  const ledger = await query(dir.dir, 'SELECT step, status, error FROM pipeline_runs ORDER BY ended_at');
  expect(ledger).toEqual([
    { step: 'extract', status: 'extracted', error: null },
    { step: 'merge', status: 'failed', error: 'nothing is staged for green 2020-10: run stage first' },
  ]);
  dir.cleanup();
});

it('a data dir from the earlier layout (main table as a DuckDB table) is refused with a clear 400, unchanged', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  const dir = tempDir();
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(join(dir.dir, 'warehouse.duckdb'));
    const con = await db.connect();
    await con.run('CREATE TABLE green_tripdata (VendorID BIGINT, unique_row_id VARCHAR, filename VARCHAR); INSERT INTO green_tripdata VALUES (2, \'x\', \'f\')');
    con.closeSync();
    db.closeSync();
    const s = await run(server.url, dir.dir, 'green', '2020-10');
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/^stage: .*warehouse\.duckdb holds green_tripdata as tables of an earlier storage layout .*: load into a new data dir$/);
    const [row] = await (await import('../helpers/stack.js')).query(dir.dir, 'SELECT count(*) AS n FROM green_tripdata');
    expect(row!.n).toBe('1');
  } finally {
    await server.close();
    dir.cleanup();
  }
});
