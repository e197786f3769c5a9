/**
 * `run` executes workflows/ingest_month.yaml: edits to the YAML show in the run, a scheduled-style run
 * picks the previous New York month, and a failure notifies and fails with the reason.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webhookReceiver } from '../helpers/webhook.js';
import { parseConfig } from '../../functions/src/config.js';
import { serveFiles } from '../../functions/src/local/file-server.js';
import { runMonth, runScheduled } from '../../functions/src/local/run-month.js';
import type { RunSummary } from '../../functions/src/domain/summary.js';
import { REAL_MONTH, tempDir, ZONES_FILE, ZONES_PATH } from '../helpers/files.js';
import { greenRowsIn, writeParquet } from '../helpers/parquet.js';
import { query, source } from '../helpers/stack.js';
import { greenColumns } from '../helpers/tlc-files.js';

const WORKFLOWS = resolve(import.meta.dirname, '..', '..', 'workflows');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A loopback webhook that keeps the JSON bodies posted to it. */
function config(sourceUrl: string, dataDir: string, extra: Record<string, string> = {}) {
  return parseConfig({ TAXI_SOURCE_URL: sourceUrl, TAXI_DATA_DIR: dataDir, TAXI_RETRY_BASE_MS: '10', TAXI_HTTP_RETRIES: '2', ...extra });
}

describe('ingest_month.yaml', () => {
  it('run goes through the YAML: a raise added to a copy shows in the run, and nothing loads', async () => {
    const dir = join(tmp.dir, 'edited');
    cpSync(WORKFLOWS, dir, { recursive: true });
    const yaml = readFileSync(join(dir, 'ingest_month.yaml'), 'utf8');
    const edited = yaml.replace(
      '            - stage:\n',
      '            - refuse:\n                raise: "stage refused by an edited workflow"\n            - stage:\n',
    );
    expect(edited).not.toBe(yaml);
    writeFileSync(join(dir, 'ingest_month.yaml'), edited);
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
    try {
      const data = join(tmp.dir, 'd1');
      const s = await runMonth(config(server.url, data, { TAXI_WORKFLOWS_DIR: dir }), 'green', '2020-10');
      expect(s).toMatchObject({ status: 'failed', error: 'extract: stage refused by an edited workflow' });
      const [t] = await query(data, 'SELECT count(*) AS n FROM green_tripdata');
      expect(t!.n).toBe('0');
      // The unedited file loads the month: the difference is the YAML alone.
      const ok = await runMonth(config(server.url, data), 'green', '2020-10');
      expect(ok).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
    } finally {
      await server.close();
    }
  });

  describe('a scheduled run (no month) loads every published month of the window not yet loaded', () => {
    const at = (iso: string) => ({ now: () => Date.parse(iso) });
    const files = join(tmp.dir, 'sched-files');
    mkdirSync(files, { recursive: true });
    const month = (m: string, rows = 500) => writeParquet(join(files, `green-${m}-${rows}.parquet`), greenColumns(greenRowsIn(m, rows), m >= '2025-01'));
    /** `month` plus `late` rows of the month before (quarantined as outside_month). */
    const withLate = (m: string, late: number) => {
      const before = `${m.slice(0, 4)}-${String(Number(m.slice(5)) - 1).padStart(2, '0')}`;
      return writeParquet(join(files, `green-${m}-late${late}.parquet`), greenColumns([...greenRowsIn(m, 500), ...greenRowsIn(before, late)], m >= '2025-01'));
    };
    const template = (url: string) => `${url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`;

    it('in early December loads September and October, reports November unpublished, then only what changed', async () => {
      const published = new Map([
        [ZONES_PATH, ZONES_FILE],
        ['/green_tripdata_2026-09.parquet', withLate('2026-09', 3)],
        ['/green_tripdata_2026-10.parquet', month('2026-10')],
      ]);
      const server = await serveFiles(published);
      const data = join(tmp.dir, 'sched-dec');
      const logs: unknown[] = [];
      try {
        const cfg = config(template(server.url), data);
        const first = await runScheduled(cfg, 'green', { ...at('2026-12-04T12:00:00Z'), workflowLog: (e) => logs.push(e) });
        expect(first.error).toBeUndefined();
        expect(first.months).toEqual(['2026-09', '2026-10', '2026-11']);
        expect(first.results.map((r) => [r.month, r.status])).toEqual([
          ['2026-09', 'succeeded'],
          ['2026-10', 'succeeded'],
          ['2026-11', 'not_published'],
        ]);
        expect(first.totals).toMatchObject({ months: 3, succeeded: 2, not_published: 1, failed: 0, rowsLoaded: 1000 });
        expect(JSON.stringify(logs)).toContain('scheduled run of green: looking at [\\"2026-09\\",\\"2026-10\\",\\"2026-11\\"]');

        // The next day nothing is new: one conditional request per month, nothing staged or merged.
        server.requests.length = 0;
        const second = await runScheduled(cfg, 'green', at('2026-12-05T12:00:00Z'));
        expect(second.results.map((r) => [r.month, r.status])).toEqual([
          ['2026-09', 'already_loaded'],
          ['2026-10', 'already_loaded'],
          ['2026-11', 'not_published'],
        ]);
        expect(second.results[0]).toMatchObject({ rowsLoaded: 500, loadedAt: expect.stringMatching(/^\d{4}-/) });
        // What the scheduled run found loaded, as the load that loaded it reported it (September's 3 late rows).
        expect(first.results[0]).toMatchObject({ rowsQuarantined: 3, quarantined: { outside_month: 3 } });
        for (const i of [0, 1]) {
          const { rowsQuarantined, quarantined } = first.results[i] as RunSummary;
          expect(second.results[i]).toMatchObject({ rowsQuarantined, quarantined });
        }
        expect(server.requests.map((r) => r.path).filter((p) => !p.startsWith('/misc/'))).toEqual(['/green_tripdata_2026-09.parquet', '/green_tripdata_2026-10.parquet', '/green_tripdata_2026-11.parquet']);

        // The TLC republishes October (its ETag changes): only October is loaded again.
        published.set('/green_tripdata_2026-10.parquet', month('2026-10', 480));
        {
          const third = await runScheduled(cfg, 'green', at('2026-12-06T12:00:00Z'));
          expect(third.results.map((r) => [r.month, r.status])).toEqual([
            ['2026-09', 'already_loaded'],
            ['2026-10', 'succeeded'],
            ['2026-11', 'not_published'],
          ]);
          expect(third.results[1]).toMatchObject({ rowsLoaded: 480, inserted: 0, deleted: 20 });
        }
        const [n] = await query(data, 'SELECT count(*) AS n FROM green_tripdata');
        expect(n!.n).toBe('980');
      } finally {
        await server.close();
      }
    });

    it('loads again a month whose load left no record (a crash after the commit): nothing changes, nothing is skipped', async () => {
      const server = await source({ '/green_tripdata_2026-10.parquet': month('2026-10') });
      const data = join(tmp.dir, 'sched-crash');
      try {
        const cfg = config(template(server.url), data, { TAXI_SCHEDULE_WINDOW: '1' });
        expect((await runScheduled(cfg, 'green', at('2026-11-20T12:00:00Z'))).results[0]).toMatchObject({ month: '2026-10', status: 'succeeded' });
        rmSync(join(data, 'lake', 'loads', 'green', 'green_tripdata_2026-10.json'));
        const r = await runScheduled(cfg, 'green', at('2026-11-21T12:00:00Z'));
        expect(r.results[0]).toMatchObject({ month: '2026-10', status: 'succeeded', inserted: 0, deleted: 0, rowsLoaded: 500 });
      } finally {
        await server.close();
      }
    });

    it('a failing month is notified and fails the execution, after the other months ran', async () => {
      const { received, url: webhook, close: closeHook } = await webhookReceiver();
      const server = await source({ '/green_tripdata_2026-09.parquet': month('2026-09') }, (req, res) => {
        if (!req.url?.includes('2026-10')) return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return true;
      });
      try {
        const r = await runScheduled(config(template(server.url), join(tmp.dir, 'sched-fail'), { TAXI_ALERT_WEBHOOK: webhook }), 'green', at('2026-12-04T12:00:00Z'));
        expect(r.results.map((x) => [x.month, x.status])).toEqual([
          ['2026-09', 'succeeded'],
          ['2026-10', 'failed'],
          ['2026-11', 'not_published'],
        ]);
        expect(r.error).toBe('scheduled run of green: 1 month(s) failed: 2026-10 extract: the source is not a Parquet file: it starts with an HTML/XML page');
        expect(received).toHaveLength(1);
        expect(received[0]).toMatchObject({ taxi: 'green', month: '2026-10', step: 'extract' });
      } finally {
        await server.close();
        await closeHook();
      }
    });

    it('looks only at months the dataset has, and MONTH_LAG moves the window back', async () => {
      const server = await source({});
      try {
        const fhvhv = await runScheduled(config(template(server.url), join(tmp.dir, 'sched-first')), 'fhvhv', at('2019-04-05T12:00:00Z'));
        expect(fhvhv.months).toEqual(['2019-02', '2019-03']);
        const lag = await runScheduled(config(template(server.url), join(tmp.dir, 'sched-lag'), { TAXI_MONTH_LAG: '3', TAXI_SCHEDULE_WINDOW: '2' }), 'yellow', at('2021-03-10T12:00:00Z'));
        expect(lag.months).toEqual(['2020-11', '2020-12']);
        expect(lag.totals).toMatchObject({ not_published: 2, failed: 0 });
      } finally {
        await server.close();
      }
    });
  });

  it('a failure calls the notify function (webhook) and the execution fails with the reason', async () => {
    const { received, url: webhook, close: closeHook } = await webhookReceiver();
    const server = await source({}, (req, res) => {
      if (!req.url?.includes('_tripdata_')) return false; // the zone lookup is served as usual
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return true;
    });
    try {
      const s = await runMonth(config(server.url, join(tmp.dir, 'notify'), { TAXI_ALERT_WEBHOOK: webhook }), 'green', '2020-10');
      expect(s).toMatchObject({ status: 'failed', error: 'extract: the source is not a gzip file: it starts with an HTML/XML page' });
      expect(received).toHaveLength(1);
      expect((received[0] as { text: string }).text).toMatch(
        /^nyc-taxi-elt: green 2020-10 failed at extract: extract: the source is not a gzip file: it starts with an HTML\/XML page \(execution local-[0-9a-f-]{36}\)$/,
      );
      expect(received[0]).toMatchObject({
        taxi: 'green',
        month: '2020-10',
        step: 'extract',
      });
    } finally {
      await server.close();
      await closeHook();
    }
  });

  it('a bad argument fails the execution with a clear reason, before any call', async () => {
    const server = await source({});
    try {
      const s = await runMonth(config(server.url, join(tmp.dir, 'bad')), 'purple' as 'green', '2020-10');
      expect(s).toMatchObject({ status: 'failed', error: 'validate: invalid argument: taxi must be "yellow", "green", "fhv" or "fhvhv", got "purple"' });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
