/**
 * The crash drill: `taxi-elt run` is killed with SIGKILL at twelve points spread over a run (extract,
 * stage, merge) while the source alternates between two versions of a 200,000-row month. After every
 * kill the month is exactly one version, never a mix; the next run succeeds at once (no lease to wait
 * out, no database lock), lands the served file byte for byte and loads exactly it; and nothing a killed
 * run left behind (temp files, staging write files, a lease mutex, DuckDB spill files) survives it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFiles } from '../../functions/src/local/file-server.js';
import { generateMonth } from '../bench/generate.js';
import { BIN, lastJson } from '../helpers/cli.js';
import { tempDir, ZONES_FILE, ZONES_PATH } from '../helpers/files.js';
import { fingerprint, run } from '../helpers/stack.js';

const MONTH = '2021-03';
const PATH = `/green/green_tripdata_${MONTH}.csv.gz`;
const tmp = tempDir('taxi-crash-');

/** Start `run` for the month; resolves with its exit code and output. */
function start(source: string, dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'run', '--taxi', 'green', '--month', MONTH, '--source', source, '--data-dir', dataDir, '--json'], {
    env: { ...process.env, TAXI_RETRY_BASE_MS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Files a killed run may leave, anywhere under the data dir. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (/\.(tmp|write|rewrite)-|\.mutex$/.test(e.name)) out.push(relative(dir, p));
      else if (e.isDirectory()) walk(p);
      else if (d.endsWith('warehouse.duckdb.tmp')) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe('crash drill', () => {
  const versions: string[] = [];
  const expected: Record<string, unknown>[] = [];
  const published = new Map<string, string>([[ZONES_PATH, ZONES_FILE]]);
  let server: Awaited<ReturnType<typeof serveFiles>>;
  const data = join(tmp.dir, 'data');
  let fullRunMs = 0;

  beforeAll(async () => {
    // Two versions: different rows, different counts (a republished month).
    for (const [i, rows] of [[0, 200_000], [1, 190_000]] as const) {
      const file = await generateMonth(join(tmp.dir, `v${i}.csv.gz`), 'green', MONTH, rows, 1000 + i, { outOfMonth: 40, duplicates: 30 });
      versions.push(file.path);
    }
    server = await serveFiles(published);
    for (const [i, file] of versions.entries()) {
      published.set(PATH, file);
      const ref = join(tmp.dir, `ref${i}`);
      expect((await run(server.url, ref, 'green', MONTH)).status).toBe('succeeded');
      expected.push(await fingerprint(ref, 'green_tripdata'));
    }
    expect(expected[0]).not.toEqual(expected[1]);
    published.set(PATH, versions[0]!);
    const t0 = Date.now();
    const first = await start(server.url, data).done;
    fullRunMs = Date.now() - t0;
    expect(first.code).toBe(0);
    expect(await fingerprint(data, 'green_tripdata')).toEqual(expected[0]);
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('every kill leaves the month exactly one version; the next run loads the served one at once and leaves nothing behind', async () => {
    const states = new Set<string>();
    const left = new Set<string>();
    const KILLS = 12;
    // The kill points follow the pace of the latest full run, not only the first: on a loaded machine
    // runs slow down, and kills spread over the first run's time could all land before the new file.
    let pace = fullRunMs;
    for (let k = 1; k <= KILLS; k++) {
      const v = k % 2;
      published.set(PATH, versions[v]!);
      const { child, done } = start(server.url, data);
      await new Promise((r) => setTimeout(r, Math.round((pace * k) / (KILLS + 1))));
      child.kill('SIGKILL');
      const killed = await done;
      const after = await fingerprint(data, 'green_tripdata');
      const which = expected.findIndex((e) => JSON.stringify(e) === JSON.stringify(after));
      expect(which, `kill ${k}: the table is neither version: ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(0);
      const rawPath = join(data, 'lake', 'raw', 'green', '2021', `green_tripdata_${MONTH}.csv.gz`);
      const lakeNew = readFileSync(rawPath).equals(readFileSync(versions[v]!));
      states.add(killed.signal === 'SIGKILL' ? `lake ${lakeNew ? 'new' : 'old'}, table ${which === v ? 'new' : 'old'}` : 'finished before the kill');
      for (const f of leftovers(data)) left.add(f.replace(/-\d+-[0-9a-f-]{36}/, '-<pid>-<uuid>'));

      const t0 = Date.now();
      const next = await start(server.url, data).done;
      const tookMs = Date.now() - t0;
      pace = tookMs;
      expect(next.code, `run after kill ${k}: ${next.stderr}`).toBe(0);
      expect(lastJson(next.stdout)).toMatchObject({ status: 'succeeded' });
      // At once: nothing waited for a lease TTL (90 s) or a lock.
      expect(tookMs).toBeLessThan(fullRunMs * 3 + 5_000);
      expect(await fingerprint(data, 'green_tripdata'), `after kill ${k}`).toEqual(expected[v]);
      expect(readFileSync(rawPath).equals(readFileSync(versions[v]!))).toBe(true);
      expect(leftovers(data), `after kill ${k}`).toEqual([]);
      expect(existsSync(join(data, 'lake', 'leases', `green_tripdata_${MONTH}.lock.mutex`))).toBe(false);
    }
    // The kills landed in different phases: before the new file landed, between landing and merging, ...
    expect(states.size, [...states].join('; ')).toBeGreaterThanOrEqual(2);
    console.log(`crash drill: full run ${fullRunMs} ms (last ${pace} ms); states seen: ${[...states].join('; ')}; left by kills and removed by the next run: ${[...left].join(', ') || 'nothing'}`);
  }, 600_000);
});
