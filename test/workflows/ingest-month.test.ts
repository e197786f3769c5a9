/**
 * `run` executes workflows/ingest_month.yaml: edits to the YAML show in the run, a scheduled-style run
 * picks the previous New York month, and a failure notifies and fails with the reason.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { query, source } from '../helpers/stack.js';

const WORKFLOWS = resolve(import.meta.dirname, '..', '..', 'workflows');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

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
      const [t] = await query(data, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'green_tripdata'");
      expect(t!.n).toBe('0');
      // The unedited file loads the month: the difference is the YAML alone.
      const ok = await runMonth(config(server.url, data), 'green', '2020-10');
      expect(ok).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
    } finally {
      await server.close();
    }
  });

  it.each([
    // execution time (UTC)          New York date    loads
    ['2021-01-01T03:00:00Z', '2020-12-31 22:00', '2020-11'],
    ['2021-01-01T06:00:00Z', '2021-01-01 01:00', '2020-12'],
    ['2020-11-03T11:00:00Z', '2020-11-03 06:00', '2020-10'],
  ])('a scheduled-style run at %s (%s in New York) loads %s', async (at, _ny, month) => {
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
    const logs: unknown[] = [];
    try {
      const s = await runMonth(config(server.url, join(tmp.dir, `sched-${month}`)), 'green', null, {
        now: () => Date.parse(at),
        workflowLog: (entry) => logs.push(entry),
      });
      expect(s.month).toBe(month);
      expect(s.status).toBe(month === '2020-10' ? 'succeeded' : 'not_published');
      expect(JSON.stringify(logs)).toContain(`scheduled run of green: loading ${month}`);
    } finally {
      await server.close();
    }
  });

  it('MONTH_LAG moves the scheduled month further back', async () => {
    const server = await source({});
    try {
      const s = await runMonth(config(server.url, join(tmp.dir, 'lag'), { TAXI_MONTH_LAG: '3' }), 'yellow', null, { now: () => Date.parse('2021-03-10T12:00:00Z') });
      expect(s).toMatchObject({ month: '2020-12', status: 'not_published' });
    } finally {
      await server.close();
    }
  });

  it('a failure calls the notify function (webhook) and the execution fails with the reason', async () => {
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const server = await source({}, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return true;
    });
    try {
      const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`;
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
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });

  it('a bad argument fails the execution with a clear reason, before any call', async () => {
    const server = await source({});
    try {
      const s = await runMonth(config(server.url, join(tmp.dir, 'bad')), 'purple' as 'green', '2020-10');
      expect(s).toMatchObject({ status: 'failed', error: 'validate: invalid argument: taxi must be "yellow" or "green", got "purple"' });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
