import { describe, expect, it } from 'vitest';
import { dataset } from '../../functions/src/domain/datasets.js';
import { csvColumns, matchSchema, type FileColumn } from '../../functions/src/domain/schema-contract.js';
import { GREEN_HEADER } from '../helpers/files.js';

const green = dataset('green');
const yellow = dataset('yellow');
const mapped = (header: string, month = '2020-10') =>
  matchSchema(green, month, csvColumns(header))
    .bindings.filter((b) => b.source)
    .sort((a, b) => a.position! - b.position!)
    .map((b) => b.column.name);

/** A Parquet schema of the dataset's columns, with overrides by name. */
function parquet(ds = yellow, month = '2023-01', types: Record<string, FileColumn['type']> = {}, rename: Record<string, string> = {}): FileColumn[] {
  const kindType = { integer: 'integer', numeric: 'float', timestamp: 'timestamp', string: 'string' } as const;
  return ds.columns
    .filter((c) => c.since === undefined || month >= c.since)
    .map((c) => ({ name: rename[c.name] ?? c.name, type: types[c.name] ?? kindType[c.kind], physical: 'X' }));
}

describe('schema contract: CSV headers', () => {
  it('accepts the release header, with CRLF or a BOM', () => {
    const canonical = green.columns.filter((c) => !c.since).map((c) => c.name);
    expect(mapped(GREEN_HEADER)).toEqual(canonical);
    expect(mapped(`\uFEFF${GREEN_HEADER}\r`)).toEqual(canonical);
  });

  it('maps by name, any order and any case', () => {
    const reordered = GREEN_HEADER.split(',').reverse();
    expect(mapped(reordered.join(','))).toEqual(reordered);
    expect(mapped(GREEN_HEADER.toLowerCase())).toEqual(green.columns.filter((c) => !c.since).map((c) => c.name));
  });

  it('binds a column an older file lacks to nothing (NULL), and every column to its field', () => {
    const bindings = matchSchema(green, '2020-10', csvColumns(GREEN_HEADER)).bindings;
    expect(bindings.find((b) => b.column.name === 'cbd_congestion_fee')).toMatchObject({ source: null, position: null });
    expect(bindings.find((b) => b.column.name === 'VendorID')).toMatchObject({ position: 1 });
  });

  it.each([
    ['an unknown column', `${GREEN_HEADER},airport_fee`, 'schema drift in the green 2020-10 file: unknown column(s) "airport_fee" (add them to functions/src/domain/datasets.ts, or set TAXI_SCHEMA_CONTRACT=evolve)'],
    ['a missing column', GREEN_HEADER.replace(',congestion_surcharge', ''), 'schema drift in the green 2020-10 file: missing column(s) congestion_surcharge'],
    ['a repeated column', GREEN_HEADER.replace('extra', 'mta_tax'), 'schema drift in the green 2020-10 file: missing column(s) extra; repeated column(s) "mta_tax"'],
    ['the yellow header', yellow.columns.map((c) => c.name).join(','), 'unknown column(s) "tpep_pickup_datetime", "tpep_dropoff_datetime"'],
  ])('rejects %s', (_name, header, message) => {
    expect(() => mapped(header)).toThrow(message);
  });

  it('requires a column from its first month on', () => {
    expect(() => mapped(GREEN_HEADER, '2025-02')).toThrow('missing column(s) cbd_congestion_fee');
  });
});

describe('schema contract: Parquet footers', () => {
  it('matches Airport_fee (2023-02 on) to airport_fee, case-insensitively', () => {
    const b = matchSchema(yellow, '2023-02', parquet(yellow, '2023-02', {}, { airport_fee: 'Airport_fee' })).bindings;
    expect(b.find((x) => x.column.name === 'airport_fee')!.source!.name).toBe('Airport_fee');
  });

  it('accepts every era of physical types: DOUBLE or INT64 counts, INT32 ids, null-typed columns', () => {
    expect(() => matchSchema(yellow, '2019-04', parquet(yellow, '2019-04', { passenger_count: 'float', RatecodeID: 'float', airport_fee: 'integer' }))).not.toThrow();
    expect(() => matchSchema(yellow, '2024-01', parquet(yellow, '2024-01', { VendorID: 'integer', passenger_count: 'integer' }))).not.toThrow();
    expect(() => matchSchema(yellow, '2020-04', parquet(yellow, '2020-04', { airport_fee: 'null', congestion_surcharge: 'null' }))).not.toThrow();
    expect(() => matchSchema(dataset('fhv'), '2020-01', parquet(dataset('fhv'), '2020-01', { PUlocationID: 'float', SR_Flag: 'null' }))).not.toThrow();
  });

  it('refuses a type that cannot load losslessly, naming the column and its type', () => {
    const cols = parquet(yellow, '2023-01').map((c) => (c.name === 'tpep_pickup_datetime' ? { ...c, type: 'timestamp_utc' as const, physical: 'INT64 TIMESTAMP(MICROS, UTC)' } : c));
    expect(() => matchSchema(yellow, '2023-01', cols)).toThrow('mistyped column(s): tpep_pickup_datetime is INT64 TIMESTAMP(MICROS, UTC), expected timestamp (timestamp)');
    const strId = parquet(yellow, '2023-01', { PULocationID: 'string' });
    expect(() => matchSchema(yellow, '2023-01', strId)).toThrow(/PULocationID is X, expected integer \(integer, float\)/);
  });

  it('under evolve adds an unknown column typed from the file; under freeze it is drift', () => {
    const cols = [...parquet(yellow, '2025-01'), { name: 'new_fee', type: 'float' as const, physical: 'DOUBLE' }];
    expect(() => matchSchema(yellow, '2025-01', cols)).toThrow(/unknown column\(s\) "new_fee"/);
    const m = matchSchema(yellow, '2025-01', cols, 'evolve');
    expect(m.evolved).toEqual([{ name: 'new_fee', kind: 'numeric' }]);
    expect(m.bindings.at(-1)).toMatchObject({ column: { name: 'new_fee' }, position: cols.length });
  });
});
