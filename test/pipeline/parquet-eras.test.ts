/**
 * The TLC Parquet feed, offline: look-alike files of every era (built from the real green month with
 * the physical types each era uses) served from loopback through a URL template, loaded through the
 * workflow YAML and the functions over HTTP into DuckDB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { REAL_MONTH, tempDir, writeGzCsv } from '../helpers/files.js';
import { greenRowsIn, realGreenRows, writeParquet } from '../helpers/parquet.js';
import { rowId } from '../helpers/row-id.js';
import { query, run, source } from '../helpers/stack.js';
import { fhvColumns, fhvhvColumns, greenColumns, yellowColumns } from '../helpers/tlc-files.js';

const template = (url: string) => `${url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`;
const configFor = (url: string, dir: string, extra: Record<string, string> = {}) =>
  parseConfig({ TAXI_SOURCE_URL: template(url), TAXI_DATA_DIR: dir, TAXI_RETRY_BASE_MS: '10', TAXI_HTTP_RETRIES: '2', ...extra });

/** Every row of a table as text, in id order, without the file name (which names the format). */
async function tableText(dir: string, sql: string) {
  const [r] = await query(dir, `SELECT count(*) AS n, md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) AS h FROM (${sql}) t`);
  return r!;
}

describe('the real green month as CSV and as TLC Parquet', () => {
  const csvDir = tempDir();
  const pqDir = tempDir();
  let csv: Awaited<ReturnType<typeof run>>;
  let pq: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    const file = writeParquet(join(pqDir.dir, 'src.parquet'), greenColumns(realGreenRows()), 30_000);
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH, '/green_tripdata_2020-10.parquet': file });
    try {
      csv = await run(server.url, csvDir.dir, 'green', '2020-10');
      pq = await runMonth(configFor(server.url, pqDir.dir), 'green', '2020-10');
    } finally {
      await server.close();
    }
  }, 120_000);
  afterAll(() => {
    csvDir.cleanup();
    pqDir.cleanup();
  });

  it('counts the same rows: 95,120 in the file (the footer), 95,111 loaded, 9 outside the month', () => {
    for (const s of [csv, pq]) {
      expect(s).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9, quarantined: { outside_month: 9 } });
    }
    expect(pq.rawUri).toMatch(/lake\/raw\/green\/2020\/green_tripdata_2020-10\.parquet$/);
  });

  it('gives identical tables and ids: every column of every row', async () => {
    const sql = 'SELECT * EXCLUDE (filename) FROM green_tripdata';
    const [a, b] = [await tableText(csvDir.dir, sql), await tableText(pqDir.dir, sql)];
    expect(a.n).toBe('95111');
    expect(b).toEqual(a);
    const q = 'SELECT reason, detail FROM green_tripdata_quarantine';
    expect(await tableText(pqDir.dir, q)).toEqual(await tableText(csvDir.dir, q));
    expect((await query(pqDir.dir, 'SELECT DISTINCT filename FROM green_tripdata')).map((r) => r.filename)).toEqual(['green_tripdata_2020-10.parquet']);
  });

  it('records the footer row count and schema with the landed object', () => {
    const lake = join(pqDir.dir, 'lake', 'raw', 'green', '2020');
    const side = JSON.parse(readFileSync(join(lake, 'green_tripdata_2020-10.parquet.meta.json'), 'utf8')) as { meta: Record<string, unknown> };
    expect(side.meta).toMatchObject({ format: 'parquet', dataLines: 95_120 });
    const cols = side.meta.fileColumns as { name: string; type: string; physical: string }[];
    expect(cols).toHaveLength(20);
    expect(cols.find((c) => c.name === 'ehail_fee')).toEqual({ name: 'ehail_fee', type: 'null', physical: 'INT32 NULL' });
    expect(cols.find((c) => c.name === 'lpep_pickup_datetime')).toEqual({ name: 'lpep_pickup_datetime', type: 'timestamp', physical: 'INT64 TIMESTAMP(MICROS)' });
    expect(cols.find((c) => c.name === 'RatecodeID')).toMatchObject({ type: 'float', physical: 'DOUBLE' });
  });
});

describe('yellow across its eras, in one table', () => {
  const tmp = tempDir();
  const ROWS = 3_000;
  const summaries: Record<string, Awaited<ReturnType<typeof runMonth>>> = {};
  // 2023-02 carries dirt: a fraction in a DOUBLE count, an exact repeat, a pickup of the next month, and
  // a repeat whose total differs from its twin's past the ninth decimal (the same NUMERIC, so the same
  // trip, but not the same raw row: found after the write).
  const dirty = (rows: Record<string, string>[]) => [
    ...rows,
    { ...rows[1]!, passenger_count: '1.5' },
    rows[2]!,
    { ...rows[3]!, lpep_pickup_datetime: '2023-03-01 00:00:00' },
    { ...rows[5]!, total_amount: String(Number(rows[5]!.total_amount) + 1e-10) },
  ];
  const ERAS: Record<string, { rows: Record<string, string>[]; era: Parameters<typeof yellowColumns>[1] }> = {
    // airport_fee written as INT32, all null (BigQuery's "has type INT32" failure); DOUBLE counts
    '2019-04': { rows: greenRowsIn('2019-04', ROWS), era: { types: { airport_fee: 'INT32', congestion_surcharge: 'NULL' }, omit: ['cbd_congestion_fee'] } },
    '2023-02': { rows: dirty(greenRowsIn('2023-02', ROWS)), era: { rename: { airport_fee: 'Airport_fee' }, omit: ['cbd_congestion_fee'] } },
    // 2024: INT32 ids, INT64 counts, milli- and nanosecond timestamps
    '2024-01': {
      rows: greenRowsIn('2024-01', ROWS),
      era: { types: { VendorID: 'INT32', PULocationID: 'INT32', DOLocationID: 'INT32', passenger_count: 'INT64', RatecodeID: 'INT64', tpep_pickup_datetime: 'TIMESTAMP_MS', tpep_dropoff_datetime: 'TIMESTAMP_NS' }, rename: { airport_fee: 'Airport_fee' }, omit: ['cbd_congestion_fee'] },
    },
    '2025-01': { rows: greenRowsIn('2025-01', ROWS), era: { rename: { airport_fee: 'Airport_fee' } } },
  };
  const airportFee2019 = (i: number) => (i % 10 === 0 ? '1.75' : '0');

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const [month, { rows, era }] of Object.entries(ERAS)) {
      // INT32-all-null: the values are not written, whatever the builder would put there
      const cols = yellowColumns(rows, era).map((c) => (month === '2019-04' && c.name === 'airport_fee' ? { ...c, values: c.values.map(() => '') } : c));
      files[`/yellow_tripdata_${month}.parquet`] = writeParquet(join(tmp.dir, `y${month}.parquet`), cols, 1_000);
    }
    const server = await source(files);
    try {
      for (const month of Object.keys(ERAS)) summaries[month] = await runMonth(configFor(server.url, tmp.dir), 'yellow', month);
    } finally {
      await server.close();
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('loads every era, reconciled against the footer row count', () => {
    for (const [month, s] of Object.entries(summaries)) {
      const rows = ERAS[month]!.rows.length;
      expect(s, month).toMatchObject({ status: 'succeeded', rowsInFile: rows });
      expect(s.rowsLoaded + s.rowsQuarantined).toBe(rows);
    }
    expect(summaries['2023-02']!.quarantined).toEqual({ malformed: 0, invalid_value: 1, outside_month: 1, duplicate: 2 });
    expect(summaries['2025-01']!.rowsLoaded).toBe(ROWS);
  });

  it('matches Airport_fee to airport_fee, leaves absent and null-typed columns NULL, and types every column', async () => {
    const rows = await query(
      tmp.dir,
      `SELECT strftime(tpep_pickup_datetime, '%Y-%m') AS m, count(*) AS n, count(airport_fee) AS airport, count(cbd_congestion_fee) AS cbd, count(congestion_surcharge) AS cs,
              CAST(sum(airport_fee) AS VARCHAR) AS airport_sum
       FROM yellow_tripdata GROUP BY ALL ORDER BY m`,
    );
    const n = String(ROWS);
    const fees = (Math.ceil(ROWS / 10) * 1.75).toFixed(9);
    expect(rows).toEqual([
      { m: '2019-04', n, airport: '0', cbd: '0', cs: '0', airport_sum: null },
      { m: '2023-02', n: String(ROWS), airport: n, cbd: '0', cs: n, airport_sum: fees },
      { m: '2024-01', n, airport: n, cbd: '0', cs: n, airport_sum: expect.any(String) },
      { m: '2025-01', n, airport: n, cbd: n, cs: n, airport_sum: expect.any(String) },
    ]);
    const types = await query(tmp.dir, `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'yellow_tripdata'`);
    const typeOf = Object.fromEntries(types.map((r) => [r.c, r.t]));
    expect(typeOf).toMatchObject({ VendorID: 'BIGINT', passenger_count: 'BIGINT', tpep_pickup_datetime: 'TIMESTAMP', airport_fee: 'DECIMAL(18,9)', cbd_congestion_fee: 'DECIMAL(18,9)' });
  });

  it('gives a Parquet row the id its CSV text would get, computed independently', async () => {
    const r = ERAS['2024-01']!.rows[5]!;
    const values = {
      VendorID: r.VendorID || '2',
      tpep_pickup_datetime: r.lpep_pickup_datetime,
      tpep_dropoff_datetime: r.lpep_dropoff_datetime,
      passenger_count: r.passenger_count,
      trip_distance: r.trip_distance,
      RatecodeID: r.RatecodeID,
      store_and_fwd_flag: r.store_and_fwd_flag,
      PULocationID: r.PULocationID,
      DOLocationID: r.DOLocationID,
      payment_type: r.payment_type,
      fare_amount: r.fare_amount,
      extra: r.extra,
      mta_tax: r.mta_tax,
      tip_amount: r.tip_amount,
      tolls_amount: r.tolls_amount,
      improvement_surcharge: r.improvement_surcharge,
      total_amount: r.total_amount,
      congestion_surcharge: r.congestion_surcharge,
      airport_fee: airportFee2019(5),
    };
    const rows = await query(tmp.dir, `SELECT tpep_pickup_datetime, tpep_dropoff_datetime FROM yellow_tripdata WHERE unique_row_id = '${rowId('yellow', values)}'`);
    expect(rows).toEqual([{ tpep_pickup_datetime: r.lpep_pickup_datetime, tpep_dropoff_datetime: r.lpep_dropoff_datetime }]);
  });

  it('quarantines a value that does not convert losslessly and the repeats, each with its values as JSON', async () => {
    const q = await query(tmp.dir, `SELECT reason, detail, raw_line FROM yellow_tripdata_quarantine ORDER BY reason, raw_line`);
    expect(q.map((r) => [r.reason, r.detail])).toEqual([
      ['duplicate', 'repeats an earlier line'],
      ['duplicate', 'repeats an earlier line'],
      ['invalid_value', 'passenger_count: 1.5'],
      ['outside_month', 'pickup 2023-03-01 00:00:00 is not in 2023-02'],
    ]);
    const invalid = JSON.parse(String(q[2]!.raw_line)) as Record<string, unknown>;
    expect(invalid).toMatchObject({ passenger_count: 1.5, Airport_fee: 1.75, PULocationID: Number(ERAS['2023-02']!.rows[1]!.PULocationID) });
    const rows = ERAS['2023-02']!.rows;
    const dups = q.slice(0, 2).map((r) => JSON.parse(String(r.raw_line)) as Record<string, unknown>);
    expect(dups.map((d) => d.tpep_pickup_datetime).sort()).toEqual([rows[2]!.lpep_pickup_datetime, rows[5]!.lpep_pickup_datetime].sort());
    // The repeat told by its typed values: one of the twins is quarantined, the other loads once.
    const twin = dups.find((d) => d.tpep_pickup_datetime === rows[5]!.lpep_pickup_datetime)!;
    expect([Number(rows[5]!.total_amount), Number(rows[5]!.total_amount) + 1e-10]).toContain(twin.total_amount);
    const [loaded] = await query(tmp.dir, `SELECT count(*) AS n FROM yellow_tripdata WHERE tpep_pickup_datetime = '${rows[5]!.lpep_pickup_datetime}' AND total_amount = ${rows[5]!.total_amount} AND filename = 'yellow_tripdata_2023-02.parquet'`);
    expect(loaded!.n).toBe('1');
  });

  it('keeps one partition file per month', () => {
    expect(readdirSync(join(tmp.dir, 'tables', 'yellow_tripdata')).sort()).toEqual(['2019-04.parquet', '2023-02.parquet', '2024-01.parquet', '2025-01.parquet']);
  });
});

describe('fhv and fhvhv months', () => {
  const tmp = tempDir();
  let fhv: Awaited<ReturnType<typeof runMonth>>;
  let fhvhv: Awaited<ReturnType<typeof runMonth>>;
  let fhvCsv: Awaited<ReturnType<typeof runMonth>>;
  const csvDir = join(tmp.dir, 'csv');
  const ROWS = 4_000;

  beforeAll(async () => {
    const fhvCols = fhvColumns(greenRowsIn('2020-10', ROWS));
    // The mirror's fhv CSV of the same rows: ids as the mirror writes them (65.0), the same header.
    const csvLines = [fhvCols.map((c) => c.name).join(','), ...fhvCols[0]!.values.map((_v, i) => fhvCols.map((c) => (c.type === 'DOUBLE' && c.values[i] ? `${c.values[i]}.0` : c.values[i])).join(','))];
    const server = await source({
      '/fhv/fhv_tripdata_2020-10.csv.gz': writeGzCsv(join(tmp.dir, 'fhv.csv.gz'), csvLines),
      '/fhv_tripdata_2020-10.parquet': writeParquet(join(tmp.dir, 'fhv.parquet'), fhvCols),
      '/fhvhv_tripdata_2021-05.parquet': writeParquet(join(tmp.dir, 'fhvhv.parquet'), fhvhvColumns(greenRowsIn('2021-05', ROWS))),
    });
    try {
      fhv = await runMonth(configFor(server.url, tmp.dir), 'fhv', '2020-10');
      fhvhv = await runMonth(configFor(server.url, tmp.dir), 'fhvhv', '2021-05');
      fhvCsv = await run(server.url, csvDir, 'fhv', '2020-10');
    } finally {
      await server.close();
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('loads fhv with DOUBLE location ids and a null-typed SR_Flag', async () => {
    expect(fhv).toMatchObject({ status: 'succeeded', rowsInFile: ROWS, rowsLoaded: ROWS, rowsQuarantined: 0 });
    const [r] = await query(tmp.dir, `SELECT count(*) AS n, count(SR_Flag) AS sr, count(Affiliated_base_number) AS aff, typeof(any_value(PUlocationID)) AS t, min(dropOff_datetime) IS NOT NULL AS d FROM fhv_tripdata`);
    expect(r).toEqual({ n: String(ROWS), sr: '0', aff: String(ROWS - Math.ceil(ROWS / 3)), t: 'BIGINT', d: true });
  });

  it('loads the same fhv rows from the mirror\'s CSV into an identical table, ids included', async () => {
    expect(fhvCsv).toMatchObject({ status: 'succeeded', rowsInFile: ROWS, rowsLoaded: ROWS });
    const sql = 'SELECT * EXCLUDE (filename) FROM fhv_tripdata';
    expect(await tableText(csvDir, sql)).toEqual(await tableText(tmp.dir, sql));
  });

  it('loads fhvhv with INT32 ids, INT64 trip_time, flags as text, a null-typed column and a text column written as INT32 all null', async () => {
    expect(fhvhv).toMatchObject({ status: 'succeeded', rowsInFile: ROWS, rowsLoaded: ROWS });
    const [r] = await query(
      tmp.dir,
      `SELECT count(*) AS n, count(DISTINCT hvfhs_license_num) AS licenses, min(trip_time) AS tmin, count(wav_match_flag) AS wav, count(airport_fee) AS af, count(on_scene_datetime) AS on_scene, any_value(access_a_ride_flag) AS aar FROM fhvhv_tripdata`,
    );
    expect(r).toEqual({ n: String(ROWS), licenses: '3', tmin: '300', wav: '0', af: '0', on_scene: String(ROWS / 2), aar: ' ' });
    const side = JSON.parse(readFileSync(join(tmp.dir, 'lake', 'raw', 'fhvhv', '2021', 'fhvhv_tripdata_2021-05.parquet.meta.json'), 'utf8')) as { meta: { fileColumns: { name: string }[] } };
    expect(side.meta.fileColumns.find((c) => c.name === 'wav_match_flag')).toEqual({ name: 'wav_match_flag', type: 'null', physical: 'INT32 (all null)' });
    const cols = await query(tmp.dir, `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'fhvhv_tripdata'`);
    expect(cols[0]!.n).toBe('27'); // 25 columns + unique_row_id + filename
  });
});
