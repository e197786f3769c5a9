/**
 * The DuckDB stage's pairing of repeated rows before the write, statement by statement as the adapter
 * runs them (`plan` gives them with their values inlined), on a Parquet month built from the real one.
 * A 64-bit hash collision cannot be produced on purpose, so one is staged: a row that repeats nothing
 * is put among the copies, as a collision would. `checks` must see it, and the adapter's
 * answer (write again with no copies, then the pass after the write) must give the exact fates.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { sizeBytes } from '../../functions/src/domain/sizes.js';
import { plannedObject } from '../../functions/src/adapters/shared/planned-object.js';
import { marker } from '../../functions/src/adapters/shared/sql-template.js';
import type { MonthJob, PlannedStatement } from '../../functions/src/ports/warehouse.js';
import { readParquetFooter } from '../../functions/src/steps/extract/parquet-footer.js';
import { realMonthLines, tempDir, writeGzCsv } from '../helpers/files.js';
import { greenRowsIn, writeParquet } from '../helpers/parquet.js';
import { yellowColumns } from '../helpers/tlc-files.js';

const MONTH = '2023-02';
const tmp = tempDir();
let con: DuckDBConnection;
let instance: DuckDBInstance;
let plan: PlannedStatement[];
// (The builder's airport fee depends on the row's index: the repeats sit where it is the same.)
const rows = greenRowsIn(MONTH, 298);
// Row 298 repeats row 2 exactly; row 299 repeats row 5's trip with a total past the ninth decimal.
const file = [...rows, rows[2]!, { ...rows[5]!, total_amount: String(Number(rows[5]!.total_amount) + 1e-10) }];

/** The stage statements of `from` (the Parquet month's plan unless given) named `name`. */
const named = (name: string, from: PlannedStatement[] = plan) => from.filter((s) => s.step === 'stage' && marker(s.sql, 'name') === name).map((s) => s.sql);
const one = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJS()[0]!;
const writeFile = () => /\) TO '([^']+)' \(FORMAT parquet/.exec(named('write')[0]!)![1]!;
const fates = async (path: string) =>
  (await con.runAndReadAll(`SELECT coalesce(reason, 'loaded') AS fate, count(*) AS n FROM read_parquet('${path}') GROUP BY ALL ORDER BY fate`)).getRowObjectsJS().map((r) => [r.fate, Number(r.n)]);

beforeAll(async () => {
  const path = writeParquet(join(tmp.dir, 'y.parquet'), yellowColumns(file, { rename: { airport_fee: 'Airport_fee' }, omit: ['cbd_congestion_fee'] }), 100);
  const bytes = readFileSync(path);
  const footer = readParquetFooter(bytes, bytes.length);
  const object = plannedObject('yellow', MONTH, 'parquet', path);
  object.meta.dataLines = footer.rows;
  object.meta.fileColumns = footer.columns;
  const job: MonthJob = { taxi: 'yellow', month: MONTH, object };
  plan = new DuckDbWarehouse(join(tmp.dir, 'w.duckdb')).plan(job);
  instance = await DuckDBInstance.create(join(tmp.dir, 'w.duckdb'));
  con = await instance.connect();
  for (const s of plan.filter((x) => x.step === 'tables' || x.step === 'external')) await con.run(s.sql);
  mkdirSync(join(tmp.dir, 'tables', 'staging'), { recursive: true });
});
afterAll(() => {
  con?.closeSync();
  instance?.closeSync();
  tmp.cleanup();
});

describe('pairing repeated Parquet rows before the write', () => {
  it('pairs the exact repeat by a hash of its raw values', async () => {
    expect(named('copies')).toHaveLength(1);
    await con.run(named('copies')[0]!);
    // The repeat, and the row it repeats (its id is written too, for the checks to match them by).
    expect((await con.runAndReadAll('SELECT source_row, copy FROM "yellow_tripdata_staging_2023_02_copies" ORDER BY source_row')).getRowObjectsJS()).toEqual([
      { source_row: 2n, copy: false },
      { source_row: 298n, copy: true },
    ]);
  });

  it('one write gives the copy its fate; the twin spelt differently is left to the pass after it', async () => {
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['duplicate', 1], ['loaded', 299]]);
    // The pair's id is written for the two rows only (the checks match them by it), and it is theirs.
    const ids = await con.runAndReadAll(`SELECT coalesce(reason, 'loaded') AS fate, pair_id FROM read_parquet('${writeFile()}') WHERE pair_id IS NOT NULL ORDER BY fate`);
    const pair = ids.getRowObjectsJS();
    expect(pair.map((r) => r.fate)).toEqual(['duplicate', 'loaded']);
    expect(pair[0]!.pair_id).toMatch(/^[0-9a-f]{32}$/);
    expect(pair[1]!.pair_id).toBe(pair[0]!.pair_id);
    expect(await one(named('checks')[0]!)).toEqual({ unmatched: 0n, duplicates: 1n });
  });

  it('a collision (a copy that repeats nothing) is seen, and writing again without copies gives the exact fates', async () => {
    await con.run('INSERT INTO "yellow_tripdata_staging_2023_02_copies" VALUES (7, true)');
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['duplicate', 2], ['loaded', 298]]);
    // The repeat spelt differently is there too.
    expect(await one(named('checks')[0]!)).toEqual({ unmatched: 1n, duplicates: 1n });
    // What the adapter does then.
    await con.run('DELETE FROM "yellow_tripdata_staging_2023_02_copies"');
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['loaded', 300]]);
    expect(await one(named('checks')[0]!)).toEqual({ unmatched: 0n, duplicates: 2n });
    await con.run(named('rewrite')[0]!);
    const rewritten = /\) TO '([^']+)' \(FORMAT parquet/.exec(named('rewrite')[0]!)![1]!;
    expect(await fates(rewritten)).toEqual([['duplicate', 2], ['loaded', 298]]);
    const kept = await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${rewritten}', file_row_number = true) WHERE reason IS NULL AND file_row_number = 7`);
    expect(kept.getRowObjectsJS()[0]!.n).toBe(1n);
  });
});

describe('pairing repeated CSV lines before the write', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('pairs each repeated line with the first of its text; the checks match them by the id written for both', async () => {
    const [header, ...lines] = realMonthLines();
    const file = writeGzCsv(join(dir.dir, 'g.csv.gz'), [header!, ...lines, lines[3]!, lines[3]!, lines[7]!]);
    const object = plannedObject('green', '2020-10', 'csv', file);
    object.meta.dataLines = lines.length + 3;
    const csvPlan = new DuckDbWarehouse(join(dir.dir, 'w.duckdb')).plan({ taxi: 'green', month: '2020-10', object });
    const inst = await DuckDBInstance.create(join(dir.dir, 'w.duckdb'));
    const c = await inst.connect();
    try {
      mkdirSync(join(dir.dir, 'tables', 'staging'), { recursive: true });
      for (const s of csvPlan.filter((x) => x.step === 'tables' || x.step === 'external')) await c.run(s.sql);
      await c.run(named('copies', csvPlan)[0]!);
      // Line numbers count from 0 after the header: the repeats are the last three lines.
      const n = lines.length;
      expect((await c.runAndReadAll('SELECT source_row, copy FROM "green_tripdata_staging_2020_10_copies" ORDER BY source_row')).getRowObjectsJS()).toEqual([
        { source_row: 3n, copy: false },
        { source_row: 7n, copy: false },
        { source_row: BigInt(n), copy: true },
        { source_row: BigInt(n + 1), copy: true },
        { source_row: BigInt(n + 2), copy: true },
      ]);
      await c.run(named('write', csvPlan)[0]!);
      expect((await c.runAndReadAll(named('checks', csvPlan)[0]!)).getRowObjectsJS()[0]).toEqual({ unmatched: 0n, duplicates: 0n });
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  });
});

describe('a CSV month streamed instead of held in memory', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('reads sizes as DuckDB does', () => {
    expect(sizeBytes('512MB')).toBe(512e6);
    expect(sizeBytes('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(sizeBytes(undefined)).toBeNull();
  });

  it('gives every line the fate the in-memory stage gives it', async () => {
    // The real month nine times over (each copy with its own ehail_fee, empty in the file), two more
    // repeats of one line and a repeat of another spelt differently: 856,083 lines, more than half of a
    // 200 MB limit at ~128 bytes a line.
    const [header, ...lines] = realMonthLines();
    const twin = lines[10]!.replace(/^(([^,]*,){7})1,/, '$11.0,');
    expect(twin).not.toBe(lines[10]);
    const fee = (line: string, k: number) => line.split(',').map((f, i) => (i === 14 ? String(k) : f)).join(',');
    const all = [...lines, ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((k) => lines.map((l) => fee(l, k))), lines[3]!, lines[3]!, twin];
    const file = writeGzCsv(join(dir.dir, 'g.csv.gz'), [header!, ...all]);
    const staged: Record<string, unknown>[][] = [];
    for (const [name, settings] of [['memory', {}], ['stream', { memory_limit: '200MB' }]] as const) {
      const object = plannedObject('green', '2020-10', 'csv', file);
      object.meta.dataLines = all.length;
      const job: MonthJob = { taxi: 'green', month: '2020-10', object };
      const wh = new DuckDbWarehouse(join(dir.dir, name, 'w.duckdb'), settings);
      const external = wh.plan(job).find((s) => s.step === 'external')!.sql;
      expect(external).toMatch(name === 'memory' ? /CREATE OR REPLACE TEMP TABLE/ : /CREATE OR REPLACE TEMP VIEW/);
      const limit = async () => (await wh.query(`SELECT current_setting('memory_limit') AS v`))[0]!.v;
      const before = await limit();
      const counts = await wh.stage(job);
      expect(counts).toMatchObject({ staged: 9 * 95_111, quarantined: { malformed: 0, invalid_value: 0, outside_month: 81, duplicate: 3 } });
      // The stage's sorts ran with a share of the limit (SORT_MEMORY_SHARE): it is back as configured.
      expect(await limit()).toBe(before);
      if (name === 'stream') expect(before).toBe('190.7 MiB');
      await wh.close();
      const inst = await DuckDBInstance.create(join(dir.dir, name, 'w.duckdb'));
      const c = await inst.connect();
      staged.push((await c.runAndReadAll(`SELECT reason, detail, raw_line, count(*) AS n FROM read_parquet('${join(dir.dir, name, 'tables', 'staging', 'green_tripdata_staging_2020_10.parquet')}') WHERE reason IS NOT NULL GROUP BY ALL ORDER BY ALL`)).getRowObjectsJS());
      c.closeSync();
      inst.closeSync();
    }
    // The twin quarantined is the one the rewrite did not keep, with one twin's line (the same in both).
    expect(staged[1]).toEqual(staged[0]);
    const dups = staged[0]!.filter((r) => r.reason === 'duplicate');
    expect(dups.find((r) => r.raw_line === lines[3])?.n).toBe(2n);
    expect(dups.filter((r) => r.raw_line === lines[10] || r.raw_line === twin).map((r) => r.n)).toEqual([1n]);
  });
});
