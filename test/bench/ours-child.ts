/**
 * Child process of the benchmark, so its memory is measured apart from the benchmark's own.
 *
 * `run <taxi> <month> <sourceUrl> <dataDir>`: the embedded pipeline as `taxi-elt run` runs it (the
 * functions served on loopback by the functions framework, called over HTTP by the month workflow),
 * through the public `runMonth`. Prints `@@phase <step>` when each step starts and, last, one
 * JSON line with the summary and the step times.
 *
 * `ctas <csv.gz> <dbFile>`: the bare DuckDB baseline, `CREATE TABLE AS SELECT * FROM read_csv(...)`.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { parseConfig } from '../../functions/src/config.js';
import type { Taxi } from '../../functions/src/domain/datasets.js';
import type { Month } from '../../functions/src/domain/months.js';
import { runMonth } from '../../functions/src/local/run-month.js';

/** What the `run` mode prints on its last line. */
export interface ChildRunResult {
  /** Milliseconds: stack start until extract starts, each step, stack close after merge, and the three steps together. */
  ms: { start: number; extract: number; stage: number; merge: number; close: number; chain: number };
  summary: Awaited<ReturnType<typeof runMonth>>;
}

async function run(taxi: Taxi, month: Month, sourceUrl: string, dataDir: string): Promise<void> {
  const config = parseConfig({ TAXI_SOURCE_URL: sourceUrl, TAXI_DATA_DIR: dataDir, TAXI_HTTP_RETRIES: '0' });
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const summary = await runMonth(config, taxi, month, {
    log: () => undefined,
    onStep: (event: unknown) => {
      const step = typeof event === 'string' ? event : (event as { step: string }).step;
      marks[step] = performance.now();
      process.stdout.write(`@@phase ${step}\n`);
    },
  });
  const ended = performance.now();
  // The step answers return before the stack closes: merge's end is not observable from outside, so
  // "merge" here includes closing the stack (DuckDB checkpoint on close).
  const span = (from: string, to: number | undefined) => (marks[from] !== undefined && to !== undefined ? to - marks[from]! : 0);
  const result: ChildRunResult = {
    ms: {
      start: (marks.extract ?? ended) - t0,
      extract: span('extract', marks.stage),
      stage: span('stage', marks.merge),
      merge: span('merge', ended),
      close: 0,
      chain: span('extract', ended),
    },
    summary,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function ctas(file: string, dbFile: string): Promise<void> {
  const instance = await DuckDBInstance.create(dbFile);
  const con = await instance.connect();
  const t0 = performance.now();
  await con.run(`CREATE TABLE t AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}')`);
  const ms = performance.now() - t0;
  const n = Number((await con.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()[0]!.n);
  con.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify({ ms, rows: n })}\n`);
}

const [mode, ...args] = process.argv.slice(2);
const done = mode === 'run' ? run(args[0] as Taxi, args[1] as Month, args[2]!, args[3]!) : mode === 'ctas' ? ctas(args[0]!, args[1]!) : Promise.reject(new Error(`unknown mode ${mode}`));
done.catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
