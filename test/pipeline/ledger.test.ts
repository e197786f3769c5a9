/**
 * The run ledger on the embedded stack: every step attempt of every execution is a row of
 * `pipeline_runs`, written by the step functions, with what the step did or why it failed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../functions/src/local/run-month.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { cli, lastJson } from '../helpers/cli.js';
import { writeGzCsv, realMonthLines } from '../helpers/files.js';
import { query, run, source, testConfig } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('pipeline_runs', () => {
  let server: Awaited<ReturnType<typeof source>>;
  beforeAll(async () => {
    server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH }, (req, res) => {
      if (!req.url?.includes('2020-11')) return false;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return true;
    });
    expect((await run(server.url, tmp.dir, 'green', '2020-10')).status).toBe('succeeded');
    expect((await run(server.url, tmp.dir, 'green', '2020-11')).status).toBe('failed');
    await runBackfill(testConfig(server.url, tmp.dir), { taxi: 'green', from: '2020-09', to: '2020-10', concurrency: 1 });
  }, 120_000);
  afterAll(() => server.close());

  it('records each step of a run with its execution, counts and source version', async () => {
    const rows = await query(
      tmp.dir,
      `SELECT execution_id, workflow, step, status, rows_in_file, rows_loaded, rows_quarantined, inserted, deleted, bytes, sha256, etag, error, ended_at >= started_at AS ordered
       FROM pipeline_runs WHERE month = '2020-10' ORDER BY ended_at LIMIT 3`,
    );
    expect(rows.map((r) => r.step)).toEqual(['extract', 'stage', 'merge']);
    expect(new Set(rows.map((r) => r.execution_id)).size).toBe(1);
    expect(rows[0]!.execution_id).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(rows[0]).toMatchObject({ workflow: 'ingest', status: 'extracted', rows_in_file: '95120', bytes: '1709547', error: null, ordered: true });
    expect(rows[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1]).toMatchObject({ status: 'staged', rows_in_file: '95120', rows_loaded: '95111', rows_quarantined: '9' });
    expect(rows[2]).toMatchObject({ status: 'merged', rows_loaded: '95111', rows_quarantined: '9', inserted: '95111', deleted: '0' });
    const [reasons] = await query(tmp.dir, `SELECT quarantined FROM pipeline_runs WHERE month = '2020-10' AND step = 'merge' LIMIT 1`);
    expect(JSON.parse(String(reasons!.quarantined))).toEqual({ malformed: 0, invalid_value: 0, outside_month: 9, duplicate: 0 });
  });

  it('records a failed step with its one-line error', async () => {
    const [r] = await query(tmp.dir, `SELECT step, status, error FROM pipeline_runs WHERE month = '2020-11'`);
    expect(r).toEqual({ step: 'extract', status: 'failed', error: 'the source is not a gzip file: it starts with an HTML/XML page' });
  });

  it('tells a backfill\'s steps from an ingest\'s, and records a month not published', async () => {
    const rows = await query(tmp.dir, `SELECT month, step, status FROM pipeline_runs WHERE workflow = 'backfill' ORDER BY month, ended_at`);
    expect(rows).toEqual([
      { month: '2020-09', step: 'extract', status: 'not_published' },
      { month: '2020-10', step: 'extract', status: 'unchanged' },
      { month: '2020-10', step: 'stage', status: 'staged' },
      { month: '2020-10', step: 'merge', status: 'merged' },
    ]);
  });
});

describe('taxi-elt status', () => {
  it('shows each month\'s state from the ledger: loaded with its counts and source, failed with its error, not published', async () => {
    const r = await cli(['status', '--data-dir', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    const report = lastJson<{ taxis: string[]; months: string[]; cells: Record<string, unknown>[] }>(r.stdout);
    expect(report.taxis).toEqual(['green']);
    expect(report.months).toEqual(['2020-09', '2020-10', '2020-11']);
    expect(report.cells.map((c) => [c.month, c.state])).toEqual([
      ['2020-09', 'not_published'],
      ['2020-10', 'loaded'],
      ['2020-11', 'failed'],
    ]);
    expect(report.cells[1]).toMatchObject({ rowsLoaded: 95_111, rowsQuarantined: 9, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), etag: expect.any(String) });
    expect(report.cells[2]).toMatchObject({ error: 'the source is not a gzip file: it starts with an HTML/XML page' });
    const text = await cli(['status', '--data-dir', tmp.dir]);
    expect(text.stdout).toMatch(/^month\s+green\n2020-09\s+· not published\n2020-10\s+✓ 95,111\n2020-11\s+✗ failed\n\nfailures:\n  green 2020-11 at \S+: the source is not a gzip file/);
  });

  it('--check-source marks a loaded month whose published file changed since as stale', async () => {
    const lines = realMonthLines();
    const changed = writeGzCsv(join(tmp.dir, 'republished.csv.gz'), lines.slice(0, 50_000));
    const republished = await source({ '/green/green_tripdata_2020-10.csv.gz': changed });
    try {
      const r = await cli(['status', '--data-dir', tmp.dir, '--check-source', '--source', republished.url, '--json']);
      expect(r.code).toBe(0);
      const cells = lastJson<{ cells: { month: string; state: string }[] }>(r.stdout).cells;
      expect(cells.find((c) => c.month === '2020-10')!.state).toBe('stale');
      expect(republished.requests.map((q) => q.method)).toEqual(['HEAD']);
    } finally {
      await republished.close();
    }
  });

  it('an empty data dir has nothing to show, and creates nothing', async () => {
    const empty = join(tmp.dir, 'never-used');
    const r = await cli(['status', '--data-dir', empty]);
    expect(r).toMatchObject({ code: 0, stdout: 'no step has run yet: the run ledger is empty\n' });
    expect((await import('node:fs')).existsSync(empty)).toBe(false);
  });
});
