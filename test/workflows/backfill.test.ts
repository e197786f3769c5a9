/**
 * backfill.yaml on the local stack: months run as child executions of ingest_month.yaml, at the
 * requested concurrency, each loaded exactly; a 404 and a failure are reported while the others load.
 */
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../functions/src/local/run-month.js';
import { greenMonthFile, tempDir } from '../helpers/files.js';
import { query, source, testConfig } from '../helpers/stack.js';
import { cli, lastJson } from '../helpers/cli.js';

const tmp = tempDir();
const files: Record<string, { path: string; rows: number }> = {};

beforeAll(() => {
  for (const [m, n] of [['2021-01', 3000], ['2021-02', 2500], ['2021-03', 2000], ['2021-05', 1000]] as const) {
    files[m] = greenMonthFile(tmp.dir, m, n);
  }
});
afterAll(() => tmp.cleanup());

const url = (m: string) => `/green/green_tripdata_${m}.csv.gz`;

describe('backfill.yaml', () => {
  it('"all" takes the four datasets, each from its own first month: fhvhv starts at 2019-02', async () => {
    const server = await source({});
    try {
      const result = await runBackfill(testConfig(server.url, `${tmp.dir}/all`), { taxi: 'all', from: '2019-01', to: '2019-02', concurrency: 4 });
      expect(result.results.map((r) => `${r.taxi} ${r.month} ${r.status}`).sort()).toEqual([
        'fhv 2019-01 not_published',
        'fhv 2019-02 not_published',
        'fhvhv 2019-02 not_published',
        'green 2019-01 not_published',
        'green 2019-02 not_published',
        'yellow 2019-01 not_published',
        'yellow 2019-02 not_published',
      ]);
      expect(result.totals).toMatchObject({ months: 7, not_published: 7, failed: 0 });
      // a range wholly before a dataset's first month asks for nothing
      const none = await runBackfill(testConfig(server.url, `${tmp.dir}/none`), { taxi: 'fhvhv', from: '2018-01', to: '2018-12', concurrency: 2 });
      expect(none).toEqual({ results: [], totals: { months: 0, succeeded: 0, already_loaded: 0, not_published: 0, failed: 0, rowsInFile: 0, rowsLoaded: 0, rowsQuarantined: 0 } });
    } finally {
      await server.close();
    }
  });

  it('three months at concurrency 3 load concurrently, each exactly once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await source({}, (req, res) => {
      const m = /green_tripdata_(\d{4}-\d{2})/.exec(req.url ?? '')?.[1];
      const f = m ? files[m] : undefined;
      if (!f) return false;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Hold each download a moment so overlapping executions are visible.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        const s = createReadStream(f.path);
        s.pipe(res);
        s.on('close', () => inFlight--);
      }, 300);
      return true;
    });
    const data = `${tmp.dir}/three`;
    try {
      const result = await runBackfill(testConfig(server.url, data), { taxi: 'green', from: '2021-01', to: '2021-03', concurrency: 3 });
      expect(maxInFlight).toBe(3);
      expect(result.results.map((r) => [r.month, r.status])).toEqual([
        ['2021-01', 'succeeded'],
        ['2021-02', 'succeeded'],
        ['2021-03', 'succeeded'],
      ]);
      expect(result.totals).toEqual({
        months: 3,
        succeeded: 3,
        not_published: 0,
        already_loaded: 0,
        failed: 0,
        rowsInFile: files['2021-01']!.rows + files['2021-02']!.rows + files['2021-03']!.rows,
        rowsLoaded: files['2021-01']!.rows + files['2021-02']!.rows + files['2021-03']!.rows,
        rowsQuarantined: 0,
      });
      const perMonth = await query(data, `SELECT strftime(lpep_pickup_datetime, '%Y-%m') AS m, count(*) AS n, count(DISTINCT unique_row_id) AS ids FROM green_tripdata GROUP BY 1 ORDER BY 1`);
      expect(perMonth).toEqual(
        ['2021-01', '2021-02', '2021-03'].map((m) => ({ m, n: String(files[m]!.rows), ids: String(files[m]!.rows) })),
      );
      // Again at concurrency 1: nothing changes.
      const again = await runBackfill(testConfig(server.url, data), { taxi: 'green', from: '2021-01', to: '2021-03', concurrency: 1 });
      expect(again.results.every((r) => r.status === 'succeeded' && 'inserted' in r && r.inserted === 0 && r.deleted === 0)).toBe(true);
      const [total] = await query(data, 'SELECT count(*) AS n FROM green_tripdata');
      expect(Number(total!.n)).toBe(result.totals.rowsLoaded);
    } finally {
      await server.close();
    }
  });

  it('a 404 month and a failing month are reported while the others load', async () => {
    const server = await source(
      { [url('2021-01')]: files['2021-01']!.path, [url('2021-02')]: files['2021-02']!.path, [url('2021-05')]: files['2021-05']!.path },
      (req, res) => {
        if (!req.url?.includes('2021-03')) return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>oops</p>');
        return true;
      },
    );
    const data = `${tmp.dir}/mixed`;
    try {
      const r = await cli(['backfill', '--taxi', 'green', '--from', '2021-01', '--to', '2021-05', '--concurrency', '2', '--source', server.url, '--data-dir', data, '--json'], {
        TAXI_RETRY_BASE_MS: '10',
      });
      expect(r.code).toBe(1); // one month failed
      const result = lastJson<{ results: { month: string; status: string; error?: string; rowsLoaded?: number }[]; totals: Record<string, number> }>(r.stdout);
      expect(result.results.map((x) => [x.month, x.status])).toEqual([
        ['2021-01', 'succeeded'],
        ['2021-02', 'succeeded'],
        ['2021-03', 'failed'],
        ['2021-04', 'not_published'],
        ['2021-05', 'succeeded'],
      ]);
      expect(result.results[2]!.error).toBe('extract: the source is not a gzip file: it starts with an HTML/XML page');
      expect(result.totals).toMatchObject({ months: 5, succeeded: 3, not_published: 1, failed: 1, rowsLoaded: 3000 + 2500 + 1000 });
      // The table printed before the JSON line.
      expect(r.stdout).toMatch(/taxi\s+month\s+status\s+in_file\s+loaded/);
      expect(r.stdout).toMatch(/totals: 5 month\(s\): 3 succeeded, 0 already loaded, 1 not published, 1 failed/);
      const perMonth = await query(data, `SELECT strftime(lpep_pickup_datetime, '%Y-%m') AS m, count(*) AS n FROM green_tripdata GROUP BY 1 ORDER BY 1`);
      expect(perMonth).toEqual([
        { m: '2021-01', n: '3000' },
        { m: '2021-02', n: '2500' },
        { m: '2021-05', n: '1000' },
      ]);
    } finally {
      await server.close();
    }
  });

  it.each([
    [['--taxi', 'purple', '--from', '2021-01'], /--taxi must be yellow, green, fhv, fhvhv or all/],
    [['--taxi', 'all', '--from', '2021-03', '--to', '2021-01'], /--to \(2021-01\) is before --from \(2021-03\)/],
    [['--taxi', 'all', '--from', '2021-01', '--concurrency', '50'], /--concurrency must be an integer from 1 to 20/],
    [['--taxi', 'all', '--from', '2009-01', '--to', '2021-12'], /347 months requested, at most 240 per backfill/],
    [['--taxi', 'all', '--from', '2021-01', '--target', 'gcp'], /--target gcp needs --project and --location/],
  ])('bad backfill arguments %j → exit 2', async (args, message) => {
    const r = await cli(['backfill', ...args, '--data-dir', `${tmp.dir}/none`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
