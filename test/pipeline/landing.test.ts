/**
 * Event-driven loads on the embedded stack: `taxi-elt watch` (a child process, as a user runs it) and
 * `taxi-elt load`, through workflows/land_file.yaml and the real functions, with the real month.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config.js';
import { runLanded } from '../../functions/src/local/run-month.js';
import { BIN, cli, lastJson } from '../helpers/cli.js';
import { REAL_MONTH, realMonthLines, tempDir } from '../helpers/files.js';
import { greenColumns } from '../helpers/tlc-files.js';
import { greenRowsIn, writeParquet } from '../helpers/parquet.js';
import { fingerprint, query, run, source } from '../helpers/stack.js';
import { webhookReceiver } from '../helpers/webhook.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a table holds that a load decides: its fingerprint and the quarantine's rows. */
async function tables(dir: string) {
  return {
    main: await fingerprint(dir, 'green_tripdata'),
    quarantine: await query(dir, `SELECT filename, reason, detail, raw_line FROM green_tripdata_quarantine ORDER BY raw_line`),
  };
}

/** The republished month (1,000 rows fewer, the rest as they were), under the release's name in `dir`. */
function republished(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'green_tripdata_2020-10.csv.gz');
  const [header, ...lines] = realMonthLines();
  writeFileSync(path, gzipSync([header, ...lines.filter((_, i) => i % 95 !== 7)].join('\n') + '\n'));
  return path;
}

/** A running `taxi-elt watch`: its JSON result lines as they come. */
class Watch {
  readonly results: Record<string, unknown>[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number>;

  constructor(dataDir: string, env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, 'watch', '--data-dir', dataDir, '--settle-ms', '700', '--poll-ms', '100', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    this.child.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) if (l.trim()) this.results.push(JSON.parse(l) as Record<string, unknown>);
    });
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((r) => this.child.on('close', (code) => r(code ?? -1)));
  }

  /** Wait until `n` results came, or fail after `ms`. */
  async waitFor(n: number, ms = 60_000): Promise<Record<string, unknown>[]> {
    const until = Date.now() + ms;
    while (this.results.length < n) {
      if (Date.now() > until) throw new Error(`watch gave ${this.results.length} of ${n} results; stderr: ${this.stderr}`);
      await sleep(50);
    }
    return this.results.slice(0, n);
  }

  async started(): Promise<void> {
    while (!this.stderr.includes('watching ')) await sleep(20);
  }

  /** Ctrl-C; the exit code. */
  async stop(): Promise<number> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

describe('taxi-elt watch', () => {
  const dir = join(tmp.dir, 'watched');
  const landing = join(dir, 'lake', 'landing');
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let watch: Watch;

  beforeAll(async () => {
    hook = await webhookReceiver();
    watch = new Watch(dir, { TAXI_ALERT_WEBHOOK: hook.url });
    await watch.started();
  });
  afterAll(async () => {
    await watch.stop();
    await hook.close();
  });

  it('loads a file copied in, reading it only once the copy is complete (a copy still growing is not read)', async () => {
    // Written in 256 KiB pieces, 150 ms apart: the file keeps changing for about 1.5 s, longer than the
    // 700 ms it must stay unchanged. Read early, it would fail as a truncated gzip.
    const bytes = readFileSync(REAL_MONTH);
    const fd = openSync(join(landing, 'green_tripdata_2020-10.csv.gz'), 'w');
    for (let at = 0; at < bytes.length; at += 256 * 1024) {
      writeSync(fd, bytes, at, Math.min(256 * 1024, bytes.length - at));
      await sleep(150);
      expect(watch.results).toHaveLength(0);
    }
    closeSync(fd);
    const [r] = await watch.waitFor(1);
    expect(r).toMatchObject({ object: 'landing/green_tripdata_2020-10.csv.gz', taxi: 'green', month: '2020-10', status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9, inserted: 95_111 });
    // Moved to its raw place with extract's metadata; the landing folder is empty again.
    expect(readdirSync(landing)).toEqual([]);
    const meta = JSON.parse(readFileSync(join(dir, 'lake', 'raw', 'green', '2020', 'green_tripdata_2020-10.csv.gz.meta.json'), 'utf8')).meta;
    expect(meta).toMatchObject({ taxi: 'green', month: '2020-10', format: 'csv', bytes: bytes.length, dataLines: 95_120, etag: null });
    expect(meta.sourceUrl).toBe(join(landing, 'green_tripdata_2020-10.csv.gz'));
    const ledger = await query(dir, `SELECT workflow, step, status FROM pipeline_runs ORDER BY started_at`);
    expect(ledger).toEqual([
      { workflow: 'landing', step: 'extract', status: 'extracted' },
      { workflow: 'landing', step: 'stage', status: 'staged' },
      { workflow: 'landing', step: 'merge', status: 'merged' },
    ]);
  });

  it('leaves the warehouse to other readers while it waits', async () => {
    const r = await cli(['query', 'SELECT count(*) AS n FROM green_tripdata', '--data-dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson<{ n: string }[]>(r.stdout)[0]!.n).toBe('95111');
  });

  it('rejects a badly named file: moved to landing/rejected/ with the reason, an alert, the tables unchanged', async () => {
    const before = await tables(dir);
    writeFileSync(join(landing, 'green_tripdata_2020-13.csv.gz'), readFileSync(REAL_MONTH));
    const [, r] = await watch.waitFor(2);
    const reason = '"green_tripdata_2020-13.csv.gz" names no month: month must be YYYY-MM with a month 01-12, got "2020-13"';
    expect(r).toEqual({ object: 'landing/green_tripdata_2020-13.csv.gz', status: 'rejected', reason, rejectedTo: 'landing/rejected/green_tripdata_2020-13.csv.gz' });
    expect(readdirSync(landing)).toEqual(['rejected']);
    expect(JSON.parse(readFileSync(join(landing, 'rejected', 'green_tripdata_2020-13.csv.gz.meta.json'), 'utf8')).note.reason).toBe(reason);
    expect(readFileSync(join(landing, 'rejected', 'green_tripdata_2020-13.csv.gz')).equals(readFileSync(REAL_MONTH))).toBe(true);
    expect(hook.received).toEqual([expect.objectContaining({ workflow: 'land_file', step: 'landing', taxi: null, month: null, error: `landing/green_tripdata_2020-13.csv.gz was rejected and moved to landing/rejected/green_tripdata_2020-13.csv.gz: ${reason}` })]);
    expect(await tables(dir)).toEqual(before);
    expect(await query(dir, `SELECT count(*) AS n FROM pipeline_runs`)).toEqual([{ n: '3' }]);
  });

  it('an identical file copied in again changes nothing; a corrected one replaces the month', async () => {
    const before = await tables(dir);
    writeFileSync(join(landing, '.green_tripdata_2020-10.csv.gz.part'), readFileSync(REAL_MONTH));
    renameSync(join(landing, '.green_tripdata_2020-10.csv.gz.part'), join(landing, 'green_tripdata_2020-10.csv.gz'));
    const [, , same] = await watch.waitFor(3);
    expect(same).toMatchObject({ status: 'already_loaded', inserted: 0, deleted: 0, rowsLoaded: 95_111, rowsQuarantined: 9, quarantined: { outside_month: 9 } });
    expect(await tables(dir)).toEqual(before);
    const fixed = republished(join(tmp.dir, 'republished'));
    const expected = await (async () => {
      const alone = join(tmp.dir, 'republished-alone');
      expect((await cli(['load', fixed, '--data-dir', alone])).code).toBe(0);
      return tables(alone);
    })();
    writeFileSync(join(landing, 'green_tripdata_2020-10.csv.gz'), readFileSync(fixed));
    const [, , , corrected] = await watch.waitFor(4);
    expect(corrected).toMatchObject({ status: "succeeded", inserted: 0, deleted: 95_111 - Number(expected.main.n) });
    expect(await tables(dir)).toEqual(expected);
  });

  it('Ctrl-C stops it between files, exit 0', async () => {
    expect(await watch.stop()).toBe(0);
    expect(watch.stderr).toMatch(/stopped/);
  });
});

describe('Ctrl-C while a file loads', () => {
  it('finishes that file, then stops: the month is loaded, exit 0', async () => {
    const dir = join(tmp.dir, 'interrupted');
    const watch = new Watch(dir);
    await watch.started();
    writeFileSync(join(dir, 'lake', 'landing', 'green_tripdata_2020-10.csv.gz'), readFileSync(REAL_MONTH));
    while (!watch.stderr.includes('landing/green_tripdata_2020-10.csv.gz: loading')) await sleep(10);
    const code = await watch.stop();
    expect(watch.stderr).toContain('stopping after landing/green_tripdata_2020-10.csv.gz');
    expect(code).toBe(0);
    expect(watch.results).toEqual([expect.objectContaining({ status: 'succeeded', rowsLoaded: 95_111 })]);
    expect(await query(dir, `SELECT count(*) AS n FROM green_tripdata`)).toEqual([{ n: '95111' }]);
  });
});

describe('taxi-elt load', () => {
  it('the real month loads to the same tables as run', async () => {
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
    try {
      const ran = join(tmp.dir, 'ran');
      expect(await run(server.url, ran, 'green', '2020-10')).toMatchObject({ status: 'succeeded' });
      const loaded = join(tmp.dir, 'loaded');
      const r = await cli(['load', REAL_MONTH, '--data-dir', loaded, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(lastJson(r.stdout)).toMatchObject({ object: 'landing/green_tripdata_2020-10.csv.gz', status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9 });
      expect(await tables(loaded)).toEqual(await tables(ran));
      // The user's file is where it was.
      expect(existsSync(REAL_MONTH)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a file that names no month is refused before anything is copied; a broken one is rejected and fails, exit 1', async () => {
    const d = join(tmp.dir, 'refused');
    const odd = join(tmp.dir, 'trips.csv.gz');
    writeFileSync(odd, readFileSync(REAL_MONTH));
    const r = await cli(['load', odd, '--data-dir', d]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('error: "trips.csv.gz" is not a TLC trip file name: expected {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz with taxi yellow, green, fhv, fhvhv\n');
    expect(existsSync(join(d, 'lake'))).toBe(false);
    const cut = join(tmp.dir, 'cut', 'green_tripdata_2020-11.csv.gz');
    mkdirSync(join(tmp.dir, 'cut'));
    writeFileSync(cut, readFileSync(REAL_MONTH).subarray(0, 100_000));
    const broken = await cli(['load', cut, '--data-dir', d]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe('error: extract: the file is not a complete gzip stream (unexpected end of file) (landing/green_tripdata_2020-11.csv.gz moved to landing/rejected/green_tripdata_2020-11.csv.gz)\n');
    expect(readdirSync(join(d, 'lake', 'landing', 'rejected'))).toEqual(['green_tripdata_2020-11.csv.gz', 'green_tripdata_2020-11.csv.gz.meta.json']);
    // No raw file landed (the folders the write made ready may stay).
    const raw = join(d, 'lake', 'raw');
    expect(existsSync(raw) ? readdirSync(raw, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : []).toEqual([]);
    expect(await query(d, `SELECT step, status FROM pipeline_runs`)).toEqual([{ step: 'extract', status: 'failed' }]);
  });
});

describe('two files for the same month at once', () => {
  it('end with the month equal to the one committed last, whole, and named by the load record', async () => {
    const d = join(tmp.dir, 'both');
    const config = parseConfig({ TAXI_DATA_DIR: d, TAXI_LEASE_WAIT_MS: '60000' });
    const landing = join(d, 'lake', 'landing');
    mkdirSync(landing, { recursive: true });
    // The real month as CSV, and 30,000 other rows of the month as Parquet: two raw files of one month.
    writeFileSync(join(landing, 'green_tripdata_2020-10.csv.gz'), readFileSync(REAL_MONTH));
    writeParquet(join(landing, 'green_tripdata_2020-10.parquet'), greenColumns(greenRowsIn('2020-10', 30_000).slice(10_000)));
    const [csv, parquet] = await Promise.all([runLanded(config, 'landing/green_tripdata_2020-10.csv.gz'), runLanded(config, 'landing/green_tripdata_2020-10.parquet')]);
    for (const r of [csv, parquet]) expect(['succeeded', 'already_loaded']).toContain(r.status);
    const record = JSON.parse(readFileSync(join(d, 'lake', 'loads', 'green', 'green_tripdata_2020-10.json'), 'utf8'));
    const merges = await query(d, `SELECT CAST(ended_at AS VARCHAR) AS t, rows_loaded AS n FROM pipeline_runs WHERE step = 'merge' AND status = 'merged' ORDER BY ended_at`);
    const last = merges.at(-1)!;
    const [main] = await query(d, `SELECT count(*) AS n, count(DISTINCT filename) AS files, min(filename) AS f FROM green_tripdata`);
    expect(main).toEqual({ n: String(last.n), files: '1', f: record.rawUri.endsWith('.parquet') ? 'green_tripdata_2020-10.parquet' : 'green_tripdata_2020-10.csv.gz' });
    expect(Number(main!.n)).toBe(record.rowsLoaded);
  });
});
