/**
 * Profiling aid behind the findings in docs/benchmarks.md: times the DuckDB warehouse's stage and merge
 * for six months in a row, the stage's statements one by one on the first, and the extract step's
 * stream stages on their own.
 *
 * `tsx test/bench/profile.ts [--rows 1000000] [--taxi yellow]`
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { verifyGzipCsv } from '../../functions/src/steps/extract/verify.js';
import type { MonthJob } from '../../functions/src/ports/warehouse.js';
import { marker } from '../../functions/src/adapters/shared/sql-template.js';
import { generateMonth, headerOf, type GenTaxi } from './generate.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const rows = Number(arg('rows', '1000000'));
const taxi = arg('taxi', 'yellow') as GenTaxi;
const tmp = mkdtempSync(join(tmpdir(), 'taxi-profile-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timeIt<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await work();
  process.stdout.write(`${label.padEnd(60)} ${s(performance.now() - t0)}\n`);
  return out;
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) void _;
}

try {
  const months = ['2019-01', '2019-02', '2019-03', '2019-04', '2019-05', '2019-06'];
  const files: string[] = [];
  for (const [i, m] of months.entries()) {
    const path = join(tmp, `${taxi}_tripdata_${m}.csv.gz`);
    await generateMonth(path, taxi, m, rows, 7 + i, { outOfMonth: 10, duplicates: Math.round(rows / 6000) });
    files.push(path);
    if (i === 0) process.stdout.write(`generated ${rows} rows\n`);
  }
  const file = files[0]!;

  // ---- extract stream stages ----
  await timeIt('extract: read file only', () => drain(createReadStream(file)));
  await timeIt('extract: read + gunzip (pipe)', () => drain(createReadStream(file).pipe(createGunzip())));
  await timeIt('extract: read + verifyGzipCsv (gunzip, sha256, line count)', () => drain(verifyGzipCsv(createReadStream(file), () => undefined).stream));

  // ---- warehouse steps, through the adapter (as the functions call it) ----
  const columns = headerOf(taxi).split(',');
  const jobOf = (m: string, path: string): MonthJob => ({
    taxi,
    month: m,
    object: {
      key: 'k',
      uri: path,
      generation: '1',
      meta: { taxi, month: m, sourceUrl: 'x', etag: null, bytes: 0, sha256: '', dataLines: rows, columns, extractedAt: '' },
    } as MonthJob['object'],
  });
  const warehouse = new DuckDbWarehouse(join(tmp, 'w.duckdb'), { memory_limit: '512MB' });
  for (const [i, m] of months.entries()) {
    await timeIt(`month ${i + 1} stage (write, duplicates, view, counts)`, () => warehouse.stage(jobOf(m, files[i]!)));
    await timeIt(`month ${i + 1} merge (link the partition, views)`, () => warehouse.replaceMonth(jobOf(m, files[i]!)));
  }
  await warehouse.close();

  // ---- the stage of month 1 statement by statement, as the adapter runs them (`plan` gives them) ----
  const dir = join(tmp, 'statements');
  mkdirSync(join(dir, 'tables', 'staging'), { recursive: true });
  const plan = new DuckDbWarehouse(join(dir, 'w.duckdb')).plan(jobOf(months[0]!, file));
  const db = await DuckDBInstance.create(join(dir, 'w.duckdb'), { preserve_insertion_order: 'false', memory_limit: '512MB' });
  const con = await db.connect();
  for (const st of plan.filter((x) => ['tables', 'external', 'stage'].includes(x.step))) {
    await timeIt(`month 1 ${st.step}${st.step === 'stage' ? ` ${marker(st.sql, 'name')}` : ''}`, () => con.run(st.sql));
    // `rewrite` runs only when `checks` found repeats spelt differently; `view` needs the file renamed.
    if (marker(st.sql, 'name') === 'checks') break;
  }
  con.closeSync();
  db.closeSync();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
