/**
 * A generated month with known bad rows: each is counted under its one reason (in precedence order),
 * and loaded + quarantined = lines in the file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREEN_HEADER, tempDir, writeGzCsv } from '../helpers/files.js';
import { lineId } from '../helpers/row-id.js';
import { query, run, source } from '../helpers/stack.js';

const COLS = GREEN_HEADER.split(',');

/** Good row number `i` of March 2021, with `set` overriding fields by column name. */
function ok(i: number, set: Record<string, string> = {}): string {
  const day = String((i % 28) + 1).padStart(2, '0');
  const base: Record<string, string> = {
    VendorID: '2',
    lpep_pickup_datetime: `2021-03-${day} 10:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}`,
    lpep_dropoff_datetime: `2021-03-${day} 10:59:59`,
    store_and_fwd_flag: 'N',
    RatecodeID: '1.0',
    PULocationID: String((i % 265) + 1),
    DOLocationID: '42',
    passenger_count: '1',
    trip_distance: `2.5${i}`,
    fare_amount: '10.5',
    extra: '0.5',
    mta_tax: '0.5',
    tip_amount: '2',
    tolls_amount: '0',
    ehail_fee: '',
    improvement_surcharge: '0.3',
    total_amount: (13.8 + i / 100).toFixed(2),
    payment_type: '1',
    trip_type: '1.0',
    congestion_surcharge: '0',
  };
  return COLS.map((c) => (c in set ? set[c] : base[c])).join(',');
}

// Each case: the line and the reason it must get (null = loaded).
const CASES: [string, string, string | null][] = [
  ['too few fields', '2,2021-03-05 10:00:00,2021-03-05 10:10:00,N,1', 'malformed'],
  ['too many fields', `${ok(900)},extra`, 'malformed'],
  ['malformed beats invalid', 'x,y,z', 'malformed'],
  ['text in an integer', ok(901, { VendorID: 'two' }), 'invalid_value'],
  ['fraction in an integer', ok(902, { VendorID: '1.5' }), 'invalid_value'],
  ['text in a decimal', ok(903, { fare_amount: 'ten' }), 'invalid_value'],
  ['impossible timestamp', ok(904, { lpep_pickup_datetime: '2021-02-30 10:04:00' }), 'invalid_value'],
  ['invalid beats outside', ok(905, { lpep_pickup_datetime: '2021-04-06 10:05:00', fare_amount: '1O.5' }), 'invalid_value'],
  ['pickup in the next month', ok(906, { lpep_pickup_datetime: '2021-04-01 00:00:00' }), 'outside_month'],
  ['pickup in the previous month', ok(907, { lpep_pickup_datetime: '2021-02-28 23:59:59' }), 'outside_month'],
  ['empty pickup', ok(908, { lpep_pickup_datetime: '' }), 'outside_month'],
  ['last second of the month', ok(909, { lpep_pickup_datetime: '2021-03-31 23:59:59' }), null],
  ['first second of the month', ok(910, { lpep_pickup_datetime: '2021-03-01 00:00:00' }), null],
  ['integers written as 1.0', ok(911, { VendorID: '2.0', passenger_count: '3.000' }), null],
  ['empty values are nulls, not invalid', ok(912, { VendorID: '', fare_amount: '' }), null],
];

describe('a generated month with known bad rows', () => {
  const tmp = tempDir();
  let server: Awaited<ReturnType<typeof source>>;
  let summary: Awaited<ReturnType<typeof run>>;
  const good = Array.from({ length: 500 }, (_, i) => ok(i));
  // Three exact repeats of earlier good rows, one of them twice; an out-of-month row repeated stays outside_month.
  const outside = ok(913, { lpep_pickup_datetime: '2021-05-01 10:13:00' });
  // The same trip spelt two ways (`1` and `1.0` passengers): the same values, so one is a duplicate, but
  // not the same line, so it is found after the write.
  const twins = [ok(914), ok(914, { passenger_count: '1.0' })];
  const lines = [...good, ...CASES.map((c) => c[1]), good[3]!, good[4]!, good[4]!, outside, outside, ...twins];
  const expected = {
    malformed: CASES.filter((c) => c[2] === 'malformed').length,
    invalid_value: CASES.filter((c) => c[2] === 'invalid_value').length,
    outside_month: CASES.filter((c) => c[2] === 'outside_month').length + 2,
    duplicate: 4,
  };

  beforeAll(async () => {
    const file = writeGzCsv(join(tmp.dir, 'g.csv.gz'), [GREEN_HEADER, ...lines]);
    server = await source({ '/green/green_tripdata_2021-03.csv.gz': file });
    summary = await run(server.url, tmp.dir, 'green', '2021-03');
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('counts each bad row under its reason and reconciles', () => {
    expect(summary.status).toBe('succeeded');
    expect(summary.quarantined).toEqual(expected);
    const loaded = good.length + CASES.filter((c) => c[2] === null).length + 1;
    expect(summary.rowsLoaded).toBe(loaded);
    expect(summary.rowsInFile).toBe(lines.length);
    expect(summary.rowsLoaded + summary.rowsQuarantined).toBe(lines.length);
  });

  it.each(CASES)('%s → %s', async (_name, line, reason) => {
    // Staging keeps the text of quarantined rows only; a loaded row is found by its id, computed here.
    const where = reason === null ? `unique_row_id = '${lineId('green', GREEN_HEADER, line)}'` : `raw_line = '${line.replace(/'/g, "''")}'`;
    const rows = await query(tmp.dir, `SELECT reason, raw_line FROM green_tripdata_staging_2021_03 WHERE ${where}`);
    expect(rows.map((r) => r.reason)).toEqual([reason]);
    expect(rows[0]!.raw_line).toBe(reason === null ? null : line);
    const [q] = await query(tmp.dir, `SELECT count(*) AS n FROM green_tripdata_quarantine WHERE raw_line = '${line.replace(/'/g, "''")}'`);
    expect(Number(q!.n)).toBe(reason === null ? 0 : 1);
  });

  it('keeps the first copy of a duplicate and quarantines the rest with the raw line', async () => {
    const [main] = await query(tmp.dir, `SELECT count(*) AS n FROM green_tripdata WHERE unique_row_id = '${lineId('green', GREEN_HEADER, good[4]!)}'`);
    expect(main!.n).toBe('1');
    const q = await query(tmp.dir, `SELECT raw_line, detail FROM green_tripdata_quarantine WHERE reason = 'duplicate' ORDER BY raw_line`);
    const exact = q.map((r) => r.raw_line).filter((l) => !twins.includes(String(l)));
    expect(exact).toEqual([good[3], good[4], good[4]].sort());
    expect(q.every((r) => r.detail === 'repeats an earlier line')).toBe(true);
  });

  it('finds a repeat spelt differently by its values: one twin loads, one is quarantined with a twin\'s line', async () => {
    const id = lineId('green', GREEN_HEADER, twins[0]!);
    expect(lineId('green', GREEN_HEADER, twins[1]!)).toBe(id);
    const [main] = await query(tmp.dir, `SELECT count(*) AS n FROM green_tripdata WHERE unique_row_id = '${id}'`);
    expect(main!.n).toBe('1');
    const q = await query(tmp.dir, `SELECT raw_line FROM green_tripdata_quarantine WHERE reason = 'duplicate' AND raw_line IN ('${twins[0]}', '${twins[1]}')`);
    expect(q).toHaveLength(1);
  });

  it('types values: 1.0 → 1, empty → NULL, decimals exact', async () => {
    const [r] = await query(tmp.dir, `SELECT VendorID, RatecodeID, passenger_count, trip_type, CAST(total_amount AS VARCHAR) AS total FROM green_tripdata WHERE unique_row_id = '${lineId('green', GREEN_HEADER, CASES[13]![1])}'`);
    expect(r).toMatchObject({ VendorID: '2', RatecodeID: '1', passenger_count: '3', trip_type: '1' });
    expect(r!.total).toBe('22.910000000');
    const [e] = await query(tmp.dir, `SELECT VendorID FROM green_tripdata WHERE unique_row_id = '${lineId('green', GREEN_HEADER, CASES[14]![1])}'`);
    expect(e!.VendorID).toBeNull();
  });

  it('records why: detail names the column or the field count', async () => {
    const q = await query(tmp.dir, `SELECT reason, detail FROM green_tripdata_quarantine WHERE reason IN ('malformed', 'invalid_value') ORDER BY detail`);
    expect(q).toContainEqual({ reason: 'malformed', detail: 'expected 20 fields, found 5' });
    expect(q).toContainEqual({ reason: 'malformed', detail: 'expected 20 fields, found 21' });
    expect(q).toContainEqual({ reason: 'invalid_value', detail: 'VendorID: two' });
    expect(q).toContainEqual({ reason: 'invalid_value', detail: 'VendorID: 1.5' });
    expect(q).toContainEqual({ reason: 'invalid_value', detail: 'lpep_pickup_datetime: 2021-02-30 10:04:00' });
  });
});
