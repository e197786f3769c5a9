/**
 * Source faults served by a loopback server: each failure is reported in one line and leaves the
 * lake and the tables as they were; transient faults are retried and resumed.
 */
import { createReadStream, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREEN_HEADER, REAL_MONTH, tempDir, writeGzCsv } from '../helpers/files.js';
import { parseConfig } from '../../functions/src/config.js';
import { retryNote } from '../../functions/src/cli/progress.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { fingerprint, run, source, testConfig } from '../helpers/stack.js';
import { cli, lastJson } from '../helpers/cli.js';

const PATH = '/green/green_tripdata_2020-10.csv.gz';
const RAW = 'lake/raw/green/2020/green_tripdata_2020-10.csv.gz';
const real = readFileSync(REAL_MONTH);

describe('source faults', () => {
  const tmp = tempDir();
  let baseline: Record<string, unknown>;
  let rawBefore: Buffer;

  beforeAll(async () => {
    const server = await source({ [PATH]: REAL_MONTH });
    const first = await run(server.url, tmp.dir, 'green', '2020-10');
    await server.close();
    expect(first.status).toBe('succeeded');
    baseline = await fingerprint(tmp.dir, 'green_tripdata');
    rawBefore = readFileSync(join(tmp.dir, RAW));
  });
  afterAll(() => tmp.cleanup());

  /** Serve `body` (with `headers`) in place of the month, run it, and check nothing changed. */
  async function failingRun(answer: (req: IncomingMessage, res: ServerResponse) => void) {
    const server = await source({}, (req, res) => {
      answer(req, res);
      return true;
    });
    try {
      const summary = await run(server.url, tmp.dir, 'green', '2020-10');
      expect(summary.status).toBe('failed');
      expect(summary.error).not.toMatch(/\n/);
      expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(baseline);
      expect(readFileSync(join(tmp.dir, RAW)).equals(rawBefore)).toBe(true);
      // No temp files left behind in the lake.
      expect(readdirSync(join(tmp.dir, 'lake/raw/green/2020')).filter((f) => f.includes('.tmp-'))).toEqual([]);
      return summary;
    } finally {
      await server.close();
    }
  }

  it('an HTML page instead of gzip is an error and nothing is written', async () => {
    const s = await failingRun((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Rate limited</body></html>'));
    expect(s.error).toMatch(/not a gzip file: it starts with an HTML\/XML page/);
  });

  it('a truncated gzip is an error and nothing is written', async () => {
    const cut = real.subarray(0, Math.floor(real.length * 0.6));
    const s = await failingRun((_req, res) => res.writeHead(200, { 'content-length': cut.length }).end(cut));
    expect(s.error).toMatch(/not a complete gzip stream \(unexpected end of file\)/);
  });

  it('a gzip with a corrupted trailer is an error', async () => {
    const bad = Buffer.from(real);
    bad[bad.length - 6] = bad[bad.length - 6]! ^ 0xff; // CRC32 byte
    const s = await failingRun((_req, res) => res.writeHead(200, { 'content-length': bad.length }).end(bad));
    expect(s.error).toMatch(/not a complete gzip stream/);
  });

  it('a wrong header is schema drift, listing the differences', async () => {
    const header = GREEN_HEADER.replace('ehail_fee', 'airport_fee').replace(',trip_type', '');
    const body = gzipSync(`${header}\n1,2,3\n`);
    const s = await failingRun((_req, res) => res.writeHead(200).end(body));
    expect(s.error).toBe('extract: schema drift in the green 2020-10 file: unknown column(s) "airport_fee" (add them to functions/src/domain/datasets.ts, or set TAXI_SCHEMA_CONTRACT=evolve); missing column(s) ehail_fee, trip_type');
  });

  it('a header in another order is accepted: columns are mapped by name', async () => {
    const cols = GREEN_HEADER.split(',');
    const order = [...cols].reverse();
    const line = (vals: Record<string, string>) => order.map((c) => vals[c] ?? '').join(',');
    const row = { VendorID: '2', lpep_pickup_datetime: '2020-10-05 10:00:00', lpep_dropoff_datetime: '2020-10-05 10:20:00', total_amount: '12.50' };
    const dir = tempDir();
    try {
      // The row twice: the copy is quarantined with its own line read back from the file.
      const file = writeGzCsv(join(dir.dir, 'r.csv.gz'), [order.join(','), line(row), line(row)]);
      const server = await source({ [PATH]: file });
      const s = await run(server.url, dir.dir, 'green', '2020-10');
      await server.close();
      expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: 1, rowsQuarantined: 1 });
      const q = await (await import('../helpers/stack.js')).query(dir.dir, 'SELECT reason, raw_line FROM green_tripdata_quarantine');
      expect(q).toEqual([{ reason: 'duplicate', raw_line: line(row) }]);
      const [r] = await (await import('../helpers/stack.js')).query(dir.dir, 'SELECT VendorID, CAST(total_amount AS VARCHAR) AS t, unique_row_id FROM green_tripdata');
      expect(r).toMatchObject({ VendorID: '2', t: '12.500000000' });
      // The id hashes the canonical column order, so it does not depend on the file's order.
      const { rowId } = await import('../helpers/row-id.js');
      expect(r!.unique_row_id).toBe(rowId('green', row));
    } finally {
      dir.cleanup();
    }
  });

  it('404 means not published: status not_published, exit 3, nothing changed', async () => {
    const server = await source({});
    try {
      const r = await cli(['run', '--taxi', 'green', '--month', '2020-10', '--source', server.url, '--data-dir', tmp.dir, '--json']);
      expect(r.code).toBe(3);
      expect(lastJson(r.stdout)).toMatchObject({ taxi: 'green', month: '2020-10', status: 'not_published', rowsLoaded: 0, rawUri: null });
      expect(r.stderr).toBe('');
      expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(baseline);
    } finally {
      await server.close();
    }
  });

  it('503 twice, then OK: retried with backoff, and it succeeds', async () => {
    let calls = 0;
    const server = await source({ [PATH]: REAL_MONTH }, (_req, res) => {
      if (++calls > 2) return false;
      res.writeHead(503, { 'retry-after': '0' }).end('busy');
      return true;
    });
    try {
      const retries: unknown[] = [];
      const s = await runMonth(testConfig(server.url, tmp.dir), 'green', '2020-10', { onRetry: (e) => retries.push(e) });
      expect(s).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111 });
      expect(server.requests.length).toBeGreaterThanOrEqual(3);
      // What the progress bar shows while it waits: the attempt, the reason, the wait.
      expect(retries).toEqual([
        { taxi: 'green', month: '2020-10', what: 'HTTP 503', attempt: 2, of: 4, delayMs: 0 },
        { taxi: 'green', month: '2020-10', what: 'HTTP 503', attempt: 3, of: 4, delayMs: 0 },
      ]);
      expect(retryNote(2, 4, 'HTTP 503', 1234)).toBe('attempt 2/4 in 1.2 s after HTTP 503');
      expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(baseline);
    } finally {
      await server.close();
    }
  });

  it('a connection dropped mid-file is resumed with Range', async () => {
    let dropped = false;
    const server = await source({ [PATH]: REAL_MONTH }, (req, res) => {
      if (dropped || req.headers.range) return false;
      dropped = true;
      const { size } = statSync(REAL_MONTH);
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes', etag: '"v1"' });
      res.write(real.subarray(0, 700_000), () => res.destroy());
      return true;
    });
    try {
      const s = await run(server.url, tmp.dir, 'green', '2020-10');
      expect(s).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111 });
      const resumed = server.requests.filter((r) => r.range);
      expect(resumed.length).toBe(1);
      expect(Number(/bytes=(\d+)-/.exec(resumed[0]!.range!)![1])).toBeGreaterThan(0);
      expect(readFileSync(join(tmp.dir, RAW)).equals(real)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a drop from a server without ranges restarts the download from the start', async () => {
    let dropped = false;
    const server = await source({}, (req, res) => {
      res.writeHead(200, { 'content-length': real.length });
      if (!dropped) {
        dropped = true;
        res.write(real.subarray(0, 500_000), () => res.destroy());
      } else createReadStream(REAL_MONTH).pipe(res);
      return true;
    });
    try {
      const s = await run(server.url, tmp.dir, 'green', '2020-10');
      expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
      expect(server.requests.filter((r) => r.range)).toEqual([]);
      expect(server.requests.filter((r) => !r.path.startsWith('/misc/')).length).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a source that accepts connections but never answers is given up within the deadline, naming the host', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((sock) => void sockets.push(sock)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const cfg = parseConfig({ TAXI_SOURCE_URL: `http://127.0.0.1:${port}`, TAXI_DATA_DIR: join(tmp.dir, 'silent'), TAXI_RETRY_BASE_MS: '10', TAXI_HTTP_HEADERS_TIMEOUT_MS: '300', TAXI_HTTP_DEADLINE_MS: '1000' });
      const s = await runMonth(cfg, 'green', '2020-10');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(s.status).toBe('failed');
      expect(s.error).toMatch(new RegExp(`^extract: source 127\\.0\\.0\\.1:${port} did not answer within 1 s \\(\\d attempt\\(s\\), last: no answer \\(headers timeout\\); connect timeout 10 s, headers timeout 0\\.3 s; see TAXI_HTTP_DEADLINE_MS\\)$`));
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('a failing source past the retry budget fails cleanly', async () => {
    const s = await failingRun((_req, res) => res.writeHead(503).end());
    expect(s.error).toMatch(/failed after 4 attempt\(s\): HTTP 503/);
  });

  it('an unchanged source (same ETag) is not downloaded again', async () => {
    const server = await source({ [PATH]: REAL_MONTH });
    try {
      await run(server.url, tmp.dir, 'green', '2020-10');
      const s = await run(server.url, tmp.dir, 'green', '2020-10');
      expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111, inserted: 0, deleted: 0 });
      expect(existsSync(join(tmp.dir, RAW))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
