/**
 * Child process of the benchmark, so its memory is measured apart from the benchmark's own. Plain
 * JavaScript over the build (the benchmark builds it first): what an installed `taxi-elt` runs, without
 * the TypeScript loader a development checkout starts with.
 *
 * `run <taxi> <month> <sourceUrl> <dataDir>`: the embedded pipeline as `taxi-elt run` runs it (the
 * functions served on loopback by the functions framework, called over HTTP by the month workflow),
 * through the public `runMonth` of the CLI's bundle (dist-cli/), the code `bin/taxi-elt` loads. Prints
 * `@@phase <step>` when each step starts and, last, one JSON line with the summary and the step times
 * (`ChildRunResult` in main.ts). Imports nothing else: what it loads is what the CLI's start costs.
 *
 * `extract-time <taxi> <month> <dataDir>`: the extract function's own time in milliseconds, as it
 * recorded it in the run ledger of `dataDir` (read after the timed run, in a process of its own).
 *
 * `ctas <csv.gz|parquet> <dbFile>`: the bare DuckDB baseline, `CREATE TABLE AS SELECT * FROM read_csv(...)`
 * (or `read_parquet(...)` for a Parquet file).
 */
import { enableCompileCache } from 'node:module';
// As bin/taxi-elt does: V8 keeps the compiled modules on disk between runs.
enableCompileCache?.();

async function run(taxi, month, sourceUrl, dataDir) {
  const { parseConfig, runMonth } = await import('../../dist-cli/taxi-elt.mjs');
  const config = parseConfig({ TAXI_SOURCE_URL: sourceUrl, TAXI_DATA_DIR: dataDir, TAXI_HTTP_RETRIES: '0' });
  const t0 = performance.now();
  const marks = {};
  const summary = await runMonth(config, taxi, month, {
    log: () => undefined,
    onStep: (event) => {
      const step = typeof event === 'string' ? event : event.step;
      marks[step] = performance.now();
      process.stdout.write(`@@phase ${step}\n`);
    },
  });
  const ended = performance.now();
  // The step answers return before the stack closes: merge's end is not observable from outside, so
  // "merge" here includes closing the stack (DuckDB checkpoint on close).
  const span = (from, to) => (marks[from] !== undefined && to !== undefined ? to - marks[from] : 0);
  const result = {
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

/**
 * The extract function's own time, as it recorded it in the run ledger: the span from the workflow's
 * call to its call of stage also holds the catalog refresh running beside the download, the ledger's
 * writes and the workflow's steps between.
 */
async function extractTime(taxi, month, dataDir) {
  const { DuckDbWarehouse } = await import('../../dist/adapters/duckdb/warehouse.js');
  const { join } = await import('node:path');
  const warehouse = new DuckDbWarehouse(join(dataDir, 'warehouse.duckdb'));
  const rows = await warehouse.read({ taxi, from: month, to: month });
  await warehouse.close();
  const own = rows.filter((r) => r.step === 'extract').at(-1);
  process.stdout.write(`${JSON.stringify({ ms: own ? Date.parse(own.ended_at) - Date.parse(own.started_at) : 0 })}\n`);
}

async function ctas(file, dbFile) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(dbFile);
  const con = await instance.connect();
  const t0 = performance.now();
  const reader = file.endsWith('.parquet') ? 'read_parquet' : 'read_csv';
  await con.run(`CREATE TABLE t AS SELECT * FROM ${reader}('${file.replace(/'/g, "''")}')`);
  const ms = performance.now() - t0;
  const n = Number((await con.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()[0].n);
  con.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify({ ms, rows: n })}\n`);
}

const [mode, ...args] = process.argv.slice(2);
const modes = { run, 'extract-time': extractTime, ctas };
const done = modes[mode] ? modes[mode](...args) : Promise.reject(new Error(`unknown mode ${mode}`));
done.catch((err) => {
  process.stderr.write(`${err?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
