/**
 * The README's "Query it" SQL: each text, read from the README, runs unchanged on DuckDB against the real
 * month and gives the answers the main table and the zone file give when computed another way; and each
 * passes ZetaSQL analysis against the BigQuery catalog (zone table, trips view) as `plan` renders it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryWarehouse } from '../../functions/src/adapters/bigquery/warehouse.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { fixtureZones, REAL_MONTH, tempDir } from '../helpers/files.js';
import { query, source, testConfig } from '../helpers/stack.js';
import { Analyzer, createdTable, typeOf } from '../sql/zetasql-harness.js';

const README = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const QUERIES = new Map([...README.matchAll(/<!-- query: ([\w-]+) -->[\s\S]*?```sql\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!.trim()]));
const tmp = tempDir();
const dir = join(tmp.dir, 'data');
afterAll(() => tmp.cleanup());

/** The TLC's payment codes, written out here from the data dictionary. */
const PAYMENT: Record<string, string> = { '1': 'Credit card', '2': 'Cash', '3': 'No charge', '4': 'Dispute', '5': 'Unknown', '6': 'Voided trip' };
const zones = new Map(fixtureZones().map(([id, borough, zone]) => [id!, { borough: borough!, zone: zone! }]));
const n = (v: unknown) => Number(v);

beforeAll(async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  try {
    expect(await runMonth(testConfig(server.url, dir), 'green', '2020-10')).toMatchObject({ status: 'succeeded' });
  } finally {
    await server.close();
  }
}, 120_000);

describe('README queries on DuckDB, against the real month', () => {
  it('are five', () => {
    expect([...QUERIES.keys()]).toEqual(['revenue-by-borough', 'tip-share', 'zone-pairs', 'market-share', 'by-hour']);
  });

  it('trips and revenue per borough per month', async () => {
    const rows = await query(dir, QUERIES.get('revenue-by-borough')!);
    const raw = await query(dir, 'SELECT PULocationID AS id, count(*) AS n, sum(total_amount) AS total FROM green_tripdata GROUP BY 1');
    const want = new Map<string, { trips: number; revenue: number }>();
    for (const r of raw) {
      const b = zones.get(String(r.id))?.borough ?? 'NULL';
      const w = want.get(b) ?? { trips: 0, revenue: 0 };
      want.set(b, { trips: w.trips + n(r.n), revenue: w.revenue + n(r.total) });
    }
    expect(rows.map((r) => [r.year, r.month])).toEqual(rows.map(() => ['2020', '10']));
    expect(rows.map((r) => [r.pickup_borough ?? 'NULL', n(r.trips)])).toEqual([...want].sort((a, b) => b[1].trips - a[1].trips).map(([b, w]) => [b, w.trips]));
    for (const r of rows) expect(n(r.revenue)).toBeCloseTo(want.get(String(r.pickup_borough ?? 'NULL'))!.revenue, 2);
  });

  it('tip share by payment type', async () => {
    const rows = await query(dir, QUERIES.get('tip-share')!);
    const raw = await query(dir, 'SELECT payment_type AS p, count(*) AS n, sum(tip_amount) AS tip, sum(fare_amount) AS fare FROM green_tripdata WHERE payment_type IS NOT NULL GROUP BY 1 ORDER BY 2 DESC');
    expect(rows.map((r) => [r.payment_type_name, n(r.trips)])).toEqual(raw.map((r) => [PAYMENT[String(r.p)], n(r.n)]));
    for (const [i, r] of rows.entries()) expect(n(r.tip_share)).toBeCloseTo(n(raw[i]!.fare) === 0 ? 0 : n(raw[i]!.tip) / n(raw[i]!.fare), 4);
    expect(rows[0]).toMatchObject({ payment_type_name: 'Credit card' });
  });

  it('busiest zone pairs', async () => {
    const rows = await query(dir, QUERIES.get('zone-pairs')!);
    const raw = await query(dir, 'SELECT PULocationID AS pu, DOLocationID AS dz, count(*) AS n FROM green_tripdata GROUP BY 1, 2');
    const pairs = raw
      .map((r) => [zones.get(String(r.pu))?.zone, zones.get(String(r.dz))?.zone, n(r.n)] as const)
      .filter(([a, b]) => a !== undefined && b !== undefined)
      .sort((a, b) => b[2] - a[2] || (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0))
      .slice(0, 10);
    expect(rows.map((r) => [r.pickup_zone, r.dropoff_zone, n(r.trips)])).toEqual(pairs.map((p) => [...p]));
  });

  it('market share per month', async () => {
    const rows = await query(dir, QUERIES.get('market-share')!);
    expect(rows).toEqual([{ year: '2020', month: '10', market: 'taxi', trips: '95111', share: 1 }]);
  });

  it('trips per hour of day', async () => {
    const rows = await query(dir, QUERIES.get('by-hour')!);
    const raw = await query(dir, 'SELECT hour(lpep_pickup_datetime) AS h, count(*) AS n, avg(trip_distance) AS d FROM green_tripdata GROUP BY 1 ORDER BY 1');
    expect(rows.map((r) => [n(r.hour), n(r.trips)])).toEqual(raw.map((r) => [n(r.h), n(r.n)]));
    expect(rows.length).toBe(24);
    for (const [i, r] of rows.entries()) expect(n(r.avg_miles)).toBeCloseTo(n(raw[i]!.d), 2);
  });
});

describe('README queries under ZetaSQL, against the BigQuery catalog', () => {
  let analyzer: Analyzer;
  beforeAll(async () => {
    analyzer = await Analyzer.start();
  }, 30_000);
  afterAll(() => analyzer?.stop());

  it('every catalog statement analyses in order, and every query against its trips view', async () => {
    const w = new BigQueryWarehouse({ project: 'nyc-taxi-test', dataset: 'nyc_taxi', location: 'US', client: () => { throw new Error('offline'); } });
    for (const st of w.catalogStatements('gs://lake/raw/misc/taxi_zone_lookup.csv')) {
      let resolved: Record<string, unknown>;
      try {
        resolved = await analyzer.analyze(st.sql);
      } catch (err) {
        throw new Error(`${st.step}: ${(err as Error).message}\n${st.sql.slice(0, 400)}`);
      }
      const created = createdTable(resolved);
      if (created) analyzer.register(created.name, created.columns);
      // the external zone table: text columns under our names
      if (/CREATE OR REPLACE EXTERNAL TABLE/.test(st.sql)) analyzer.register('nyc-taxi-test.nyc_taxi.taxi_zone_lookup_external', ['LocationID', 'Borough', 'Zone', 'service_zone'].map((name) => ({ name, type: typeOf('STRING') })));
    }
    const trips = createdTable(await analyzer.analyze(w.catalogStatements('').find((s) => s.step === 'trips')!.sql));
    expect(trips?.columns.map((c) => c.name)).toEqual(['service_type', 'pickup_datetime', 'dropoff_datetime', 'pickup_location_id', 'pickup_borough', 'pickup_zone', 'dropoff_location_id', 'dropoff_borough', 'dropoff_zone', 'trip_distance', 'fare_amount', 'tip_amount', 'total_amount', 'passenger_count', 'payment_type_name', 'filename']);
    analyzer.register('nyc_taxi.trips', trips!.columns);
    // The harness's catalog is flat: BigQuery reads `nyc_taxi.trips` and `nyc_taxi.trips` quoted as one
    // path alike, the analyser only finds the quoted one by name.
    for (const [name, sql] of QUERIES) await expect(analyzer.analyze(sql.replaceAll('nyc_taxi.trips', '`nyc_taxi.trips`')), name).resolves.toBeTruthy();
    await expect(analyzer.analyze(QUERIES.get('by-hour')!.replace('trip_distance', 'trip_miles').replaceAll('nyc_taxi.trips', '`nyc_taxi.trips`'))).rejects.toThrow(/trip_miles/);
  });
});
