/**
 * Month ownership on the embedded stack: a month held by a live execution is waited for, then failed
 * with who holds it (never `skipped`); a lease left by a dead process is free at once; two executions of
 * one month at once: one loads, the other reports `already_loaded`, and the table is exact.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFsLeaseStore } from '../../functions/src/adapters/local-fs/lease.js';
import { parseConfig } from '../../functions/src/config.js';
import { leaseKey } from '../../functions/src/domain/naming.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { serveFiles } from '../../functions/src/local/file-server.js';
import { cli, lastJson } from '../helpers/cli.js';
import { REAL_MONTH, realMonthLines, tempDir, writeGzCsv, ZONES_FILE, ZONES_PATH } from '../helpers/files.js';
import { fingerprint, query, source } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const config = (url: string, dir: string, extra: Record<string, string> = {}) =>
  parseConfig({ TAXI_SOURCE_URL: url, TAXI_DATA_DIR: dir, TAXI_RETRY_BASE_MS: '10', TAXI_HTTP_RETRIES: '2', ...extra });

it('a month held by a live execution is waited for, then the run fails naming it; once free it loads', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  const dir = join(tmp.dir, 'held');
  try {
    const leases = new LocalFsLeaseStore(join(dir, 'lake'));
    const held = (await leases.acquire(leaseKey('green', '2020-10'), 'another-execution', 60_000)).lease!;
    const started = Date.now();
    const failed = await runMonth(config(server.url, dir, { TAXI_LEASE_WAIT_MS: '600' }), 'green', '2020-10');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^stage: green 2020-10 is held by execution another-execution since \S+ \(lease renewed until \S+\); still held after waiting 1 s \(TAXI_LEASE_WAIT_MS\)$/);
    // Nothing loaded: the catalog created the (empty) tables, the month is not in them.
    const [t] = await query(dir, 'SELECT count(*) AS n FROM green_tripdata');
    expect(t!.n).toBe('0');
    const r = await cli(['run', '--taxi', 'green', '--month', '2020-10', '--source', server.url, '--data-dir', dir], { TAXI_LEASE_WAIT_MS: '300' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: stage: green 2020-10 is held by execution another-execution/);
    // Released while a run waits: the run goes on and loads.
    setTimeout(() => void held.release(), 400);
    const loaded = await runMonth(config(server.url, dir, { TAXI_LEASE_WAIT_MS: '20000' }), 'green', '2020-10');
    expect(loaded).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
  } finally {
    await server.close();
  }
});

it('a lease left by a process that is gone does not block the next run', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  const dir = join(tmp.dir, 'dead');
  try {
    const leases = new LocalFsLeaseStore(join(dir, 'lake'));
    await leases.acquire(leaseKey('green', '2020-10'), 'killed-execution', 3_600_000);
    const path = join(dir, 'lake', leaseKey('green', '2020-10'));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), pid: gone }));
    const started = Date.now();
    const s = await runMonth(config(server.url, dir, { TAXI_LEASE_WAIT_MS: '0' }), 'green', '2020-10');
    expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    await server.close();
  }
});

it('two executions of one month at once: one loads, the other reports already_loaded, the table is exact', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  const dir = join(tmp.dir, 'twice');
  try {
    const cfg = config(server.url, dir);
    const [a, b] = await Promise.all([runMonth(cfg, 'green', '2020-10'), runMonth(cfg, 'green', '2020-10')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['already_loaded', 'succeeded']);
    // The one that waited reports what the other loaded, by reason too (from the load record).
    for (const s of [a, b]) expect(s).toMatchObject({ rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9, quarantined: { malformed: 0, invalid_value: 0, outside_month: 9, duplicate: 0 } });
    expect(await fingerprint(dir, 'green_tripdata')).toMatchObject({ n: '95111' });
    const [q] = await query(dir, 'SELECT count(*) AS n FROM green_tripdata_quarantine');
    expect(q!.n).toBe('9');
  } finally {
    await server.close();
  }
});

describe('two CLI processes of one month at once', () => {
  const runCli = (url: string, dir: string) => cli(['run', '--taxi', 'green', '--month', '2020-10', '--source', url, '--data-dir', dir, '--json']);

  it('one loads, the other reports already_loaded (exit 0 for both), the table is exact', async () => {
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
    const dir = join(tmp.dir, 'procs');
    try {
      const [a, b] = await Promise.all([runCli(server.url, dir), runCli(server.url, dir)]);
      expect([a.code, b.code], `${a.stderr} ${b.stderr}`).toEqual([0, 0]);
      expect([lastJson(a.stdout).status, lastJson(b.stdout).status].sort()).toEqual(['already_loaded', 'succeeded']);
      expect(await fingerprint(dir, 'green_tripdata')).toMatchObject({ n: '95111' });
    } finally {
      await server.close();
    }
  });

  it('when the source changes in between, the month ends exactly at the newer version and neither fails', async () => {
    const lines = realMonthLines();
    const v2 = writeGzCsv(join(tmp.dir, 'v2.csv.gz'), [lines[0]!, ...lines.slice(1, 60_001)]);
    const published = new Map([['/green/green_tripdata_2020-10.csv.gz', REAL_MONTH], [ZONES_PATH, ZONES_FILE]]);
    const server = await serveFiles(published);
    const dir = join(tmp.dir, 'procs-changed');
    const raw = join(dir, 'lake', 'raw', 'green', '2020', 'green_tripdata_2020-10.csv.gz');
    try {
      const first = runCli(server.url, dir);
      // Once the first run has landed the old file, the TLC republishes the month; a second run starts.
      for (let i = 0; i < 400 && !existsSync(raw); i++) await new Promise((r) => setTimeout(r, 25));
      published.set('/green/green_tripdata_2020-10.csv.gz', v2);
      const second = runCli(server.url, dir);
      const [a, b] = await Promise.all([first, second]);
      expect([a.code, b.code], `${a.stderr} ${b.stderr}`).toEqual([0, 0]);
      const [n] = await query(dir, 'SELECT count(*) AS n FROM green_tripdata');
      const [q] = await query(dir, 'SELECT count(*) AS n FROM green_tripdata_quarantine');
      expect(Number(n!.n) + Number(q!.n)).toBe(60_000);
      expect(readFileSync(raw).equals(readFileSync(v2))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
