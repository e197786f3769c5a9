/**
 * Profiling aid behind the findings in docs/benchmarks.md: times each statement the DuckDB warehouse
 * runs for a month (from its public `plan()`), variants of the stage statement with one suspect removed,
 * and the extract step's stream stages on their own.
 *
 * `tsx test/bench/profile.ts [--rows 1000000] [--taxi yellow]`
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { verifyGzipCsv } from '../../functions/src/steps/extract/verify.js';
import type { MonthJob } from '../../functions/src/ports/warehouse.js';
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
    await generateMonth(path, taxi, m, rows, 7 + i, { outOfMonth: 10 });
    files.push(path);
    if (i === 0) process.stdout.write(`generated ${rows} rows\n`);
  }
  const file = files[0]!;

  // ---- extract stream stages ----
  await timeIt('extract: read file only', () => drain(createReadStream(file)));
  await timeIt('extract: read + gunzip (pipe)', () => drain(createReadStream(file).pipe(createGunzip())));
  await timeIt('extract: read + verifyGzipCsv (gunzip, sha256, line count)', () => drain(verifyGzipCsv(createReadStream(file), () => undefined).stream));

  // ---- warehouse statements ----
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
  const plan = (m: string, path: string) => new DuckDbWarehouse(':memory:').plan(jobOf(m, path));
  const db = await DuckDBInstance.create(join(tmp, 'w.duckdb'));
  const con = await db.connect();
  for (const [i, m] of months.entries()) {
    for (const st of plan(m, files[i]!)) {
      if (i > 0 && i < months.length - 1) {
        await con.run(st.sql);
        continue;
      }
      const first = st.sql.split('\n').find((l) => l.trim() && !l.trim().startsWith('--'))!.trim().slice(0, 40);
      await timeIt(`month ${i + 1} ${st.step}: ${first}`, () => con.run(st.sql));
    }
  }
  // ---- stage variants on month 1 ----
  const stage = plan(months[0]!, file).find((st) => st.step === 'stage')!.sql;
  const external = plan(months[0]!, file).find((st) => st.step === 'external')!.sql;
  await con.run(external);
  const variants: [string, string][] = [
    ['stage as is', stage],
    ['stage without the duplicate window (row_number OVER PARTITION BY line)', stage.replace(/WHEN row_number\(\) OVER \(PARTITION BY line\) > 1 THEN 'duplicate'/, '')],
    ['stage without sha256 of the canonical text', stage.replace(/sha256\(concat_ws[\s\S]*?\) AS unique_row_id/, "'' AS unique_row_id")],
    ['stage with the window on md5_number(line) (HUGEINT) instead of line', stage.replace(/PARTITION BY line/, 'PARTITION BY md5_number(line)')],
    ['stage with md5 instead of sha256', stage.replace(/sha256\(concat_ws/, 'md5(concat_ws')],
    ['stage with DOUBLE instead of DECIMAL(18,9)', stage.replace(/DECIMAL\(18,9\)/g, 'DOUBLE')],
    ['stage without raw_line column', stage.replace(/line AS raw_line/, 'NULL AS raw_line')],
    ['only read + split the lines (count)', `SELECT count(*) FROM (SELECT string_split(line, ',') f FROM ${/CREATE OR REPLACE TEMP VIEW (\S+)/.exec(external)![1]})`],
  ];
  for (const [label, sql] of variants) await timeIt(label, () => con.run(sql));
  con.closeSync();
  db.closeSync();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
