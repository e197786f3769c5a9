/**
 * Parquet files for the tests, written with hyparquet-writer so every physical type is chosen: the TLC
 * files' eras differ exactly there (DOUBLE or INT64 counts, INT32 ids, null-typed columns, `Airport_fee`).
 * Rows come from the real green month in `test/fixtures/`, mapped onto each dataset's columns.
 */
import { writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { realMonthLines } from './files.js';

/** A physical column type as the TLC's writers use them. */
export type PhysicalType = 'INT32' | 'INT64' | 'DOUBLE' | 'STRING' | 'TIMESTAMP' | 'TIMESTAMP_MS' | 'TIMESTAMP_NS' | 'NULL';

/** One column of a test file: its name as the file spells it, its type, and its values as text ('' = null). */
export interface TestColumn {
  name: string;
  type: PhysicalType;
  values: readonly string[];
}

const ts = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

function element(c: TestColumn): Record<string, unknown> {
  const base = { name: c.name, repetition_type: 'OPTIONAL' };
  switch (c.type) {
    case 'INT32':
      return { ...base, type: 'INT32' };
    case 'INT64':
      return { ...base, type: 'INT64' };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'STRING':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'TIMESTAMP':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    case 'TIMESTAMP_MS':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MILLIS' } };
    case 'TIMESTAMP_NS':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' } };
    case 'NULL':
      return { ...base, type: 'INT32', logical_type: { type: 'NULL' } };
  }
}

function value(type: PhysicalType, text: string): unknown {
  if (text === '' || type === 'NULL') return null;
  switch (type) {
    case 'INT32':
    case 'DOUBLE':
      return Number(text);
    case 'INT64':
      return BigInt(Number(text));
    case 'STRING':
      return text;
    case 'TIMESTAMP':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return ts(text);
  }
}

/** Write `columns` as one Parquet file at `path`, in row groups of `rowGroupSize`. */
export function writeParquet(path: string, columns: readonly TestColumn[], rowGroupSize = 50_000): string {
  const buf = parquetWriteBuffer({
    columnData: columns.map((c) => ({ name: c.name, data: c.values.map((v) => value(c.type, v)) })),
    schema: [{ name: 'schema', num_children: columns.length }, ...columns.map(element)] as never,
    rowGroupSize,
  });
  writeFileSync(path, new Uint8Array(buf));
  return path;
}

/** The real green month as rows of text by column name (header names as the file spells them). */
export function realGreenRows(): Record<string, string>[] {
  const [header, ...lines] = realMonthLines();
  const names = header!.split(',');
  return lines.map((l) => {
    const f = l.split(',');
    return Object.fromEntries(names.map((n, i) => [n, f[i] ?? '']));
  });
}

/**
 * Green rows of October 2020 with a pickup and dropoff day up to the 28th, moved into `month`: every row
 * is in the month and valid there.
 */
export function greenRowsIn(month: string, count: number): Record<string, string>[] {
  const inMonth = (v: string) => /^2020-10-(0[1-9]|1\d|2[0-8]) /.test(v);
  return realGreenRows()
    .filter((r) => inMonth(r.lpep_pickup_datetime!) && inMonth(r.lpep_dropoff_datetime!))
    .slice(0, count)
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.replace(/^2020-10-/, `${month}-`)])));
}

/** Columns of a file: `spec` lists (name in the file, type, value of a row). */
export function columnsOf<R>(rows: readonly R[], spec: readonly [string, PhysicalType, (row: R, i: number) => string][]): TestColumn[] {
  return spec.map(([name, type, get]) => ({ name, type, values: rows.map(get) }));
}
