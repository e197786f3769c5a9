/**
 * The DuckDB stage's pairing of repeated rows before the write, statement by statement as the adapter
 * runs them (`plan` gives them with their values inlined), on a Parquet month built from the real one.
 * A 64-bit hash collision cannot be produced on purpose, so one is staged: a row that repeats nothing
 * is put among the copies, as a collision would. `unmatched_copies` must see it, and the adapter's
 * answer (write again with no copies, then the pass after the write) must give the exact fates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { plannedObject } from '../../functions/src/adapters/shared/planned-object.js';
import { marker } from '../../functions/src/adapters/shared/sql-template.js';
import type { MonthJob, PlannedStatement } from '../../functions/src/ports/warehouse.js';
import { readParquetFooter } from '../../functions/src/steps/extract/parquet-footer.js';
import { tempDir } from '../helpers/files.js';
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

const named = (name: string) => plan.filter((s) => s.step === 'stage' && marker(s.sql, 'name') === name).map((s) => s.sql);
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
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(tmp.dir, 'tables', 'staging'), { recursive: true });
});
afterAll(() => {
  con?.closeSync();
  instance?.closeSync();
  tmp.cleanup();
});

describe('pairing repeated Parquet rows before the write', () => {
  it('pairs the exact repeat by its raw values, by hash (so it is checked after the write)', async () => {
    expect(named('copies')).toHaveLength(1);
    expect(marker(named('copies')[0]!, 'pairs')).toBe('hash');
    await con.run(named('copies')[0]!);
    expect((await con.runAndReadAll('SELECT source_row FROM "yellow_tripdata_staging_2023_02_copies"')).getRowObjectsJS()).toEqual([{ source_row: 298n }]);
  });

  it('one write gives the copy its fate; the twin spelt differently is left to the pass after it', async () => {
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['duplicate', 1], ['loaded', 299]]);
    expect(Number((await one(named('unmatched_copies')[0]!)).unmatched)).toBe(0);
    expect(Number((await one(named('duplicates')[0]!)).duplicates)).toBe(1);
  });

  it('a collision (a copy that repeats nothing) is seen, and writing again without copies gives the exact fates', async () => {
    await con.run('INSERT INTO "yellow_tripdata_staging_2023_02_copies" VALUES (7)');
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['duplicate', 2], ['loaded', 298]]);
    expect(Number((await one(named('unmatched_copies')[0]!)).unmatched)).toBe(1);
    // What the adapter does then.
    await con.run('DELETE FROM "yellow_tripdata_staging_2023_02_copies"');
    await con.run(named('write')[0]!);
    expect(await fates(writeFile())).toEqual([['loaded', 300]]);
    expect(Number((await one(named('duplicates')[0]!)).duplicates)).toBe(2);
    await con.run(named('rewrite')[0]!);
    const rewritten = /\) TO '([^']+)' \(FORMAT parquet/.exec(named('rewrite')[0]!)![1]!;
    expect(await fates(rewritten)).toEqual([['duplicate', 2], ['loaded', 298]]);
    const kept = await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${rewritten}', file_row_number = true) WHERE reason IS NULL AND file_row_number = 7`);
    expect(kept.getRowObjectsJS()[0]!.n).toBe(1n);
  });
});
