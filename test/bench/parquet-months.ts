/**
 * Parquet months for the benchmark, in the TLC's current physical types, written by DuckDB:
 *
 * - yellow: a generated yellow CSV month (real rows resampled, with its dirt) converted with the 2023
 *   types (VendorID/PU/DO INT64, passenger_count and RatecodeID DOUBLE, money DOUBLE, naive timestamps,
 *   airport_fee DOUBLE), 1M-row row groups, snappy: ~50 MB for 3M rows, like yellow 2023-01.
 * - fhvhv: synthetic rows in the 2023 schema (INT32 zone ids, INT64 trip_time, DOUBLE money, 'Y'/'N'
 *   flags, HV000x licenses, null-typed airport_fee columns written as INT32 all null), ~25 bytes a row
 *   like the TLC's ~470 MB for ~19M rows.
 */
import { DuckDBInstance } from '@duckdb/node-api';

async function withDuckDb<T>(work: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' });
  const con = await db.connect();
  try {
    return await work(async (sql) => void (await con.run(sql)));
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Convert a generated yellow CSV month to Parquet with the 2023 physical types. */
export async function yellowParquet(csvGz: string, out: string): Promise<void> {
  await withDuckDb((run) =>
    run(`COPY (
      SELECT TRY_CAST(VendorID AS BIGINT) AS VendorID, TRY_CAST(tpep_pickup_datetime AS TIMESTAMP) AS tpep_pickup_datetime,
        TRY_CAST(tpep_dropoff_datetime AS TIMESTAMP) AS tpep_dropoff_datetime, TRY_CAST(passenger_count AS DOUBLE) AS passenger_count,
        TRY_CAST(trip_distance AS DOUBLE) AS trip_distance, TRY_CAST(RatecodeID AS DOUBLE) AS RatecodeID, store_and_fwd_flag,
        TRY_CAST(PULocationID AS BIGINT) AS PULocationID, TRY_CAST(DOLocationID AS BIGINT) AS DOLocationID, TRY_CAST(payment_type AS BIGINT) AS payment_type,
        TRY_CAST(fare_amount AS DOUBLE) AS fare_amount, TRY_CAST(extra AS DOUBLE) AS extra, TRY_CAST(mta_tax AS DOUBLE) AS mta_tax,
        TRY_CAST(tip_amount AS DOUBLE) AS tip_amount, TRY_CAST(tolls_amount AS DOUBLE) AS tolls_amount,
        TRY_CAST(improvement_surcharge AS DOUBLE) AS improvement_surcharge, TRY_CAST(total_amount AS DOUBLE) AS total_amount,
        TRY_CAST(congestion_surcharge AS DOUBLE) AS congestion_surcharge,
        CASE WHEN TRY_CAST(PULocationID AS BIGINT) IN (132, 138) THEN 1.25 ELSE 0 END::DOUBLE AS airport_fee
      FROM read_csv(${q(csvGz)}, all_varchar = true)
    ) TO ${q(out)} (FORMAT parquet, ROW_GROUP_SIZE 1000000, COMPRESSION snappy)`),
  );
}

/** A synthetic fhvhv month of `rows` rows in `month` (YYYY-MM), 2023 types. */
export async function fhvhvParquet(month: string, rows: number, out: string, seed = 0.42): Promise<void> {
  await withDuckDb(async (run) => {
    await run(`SELECT setseed(${seed})`);
    await run(`COPY (
      WITH t AS (
        SELECT i, TIMESTAMP '${month}-01' + to_seconds((random() * 2400000)::BIGINT) AS pickup, (300 + random() * 2400)::BIGINT AS secs,
          random() AS r1, random() AS r2
        FROM range(${rows}) r(i)
      )
      SELECT CASE WHEN r1 < 0.72 THEN 'HV0003' ELSE 'HV0005' END AS hvfhs_license_num,
        CASE WHEN r1 < 0.72 THEN 'B03404' ELSE 'B03406' END AS dispatching_base_num,
        CASE WHEN r1 < 0.72 THEN 'B03404' ELSE NULL END AS originating_base_num,
        pickup - to_seconds((60 + r2 * 400)::BIGINT) AS request_datetime,
        CASE WHEN r1 < 0.72 THEN pickup - to_seconds((r2 * 120)::BIGINT) END AS on_scene_datetime,
        pickup AS pickup_datetime, pickup + to_seconds(secs) AS dropoff_datetime,
        (1 + (r2 * 264)::INTEGER)::INTEGER AS PULocationID, (1 + ((r1 * 7919 + r2) * 1000)::INTEGER % 265)::INTEGER AS DOLocationID,
        round(secs / 240.0, 2)::DOUBLE AS trip_miles, secs AS trip_time, round(8 + secs / 60.0 * 0.9, 2)::DOUBLE AS base_passenger_fare,
        CASE WHEN r2 < 0.08 THEN 6.55 ELSE 0 END::DOUBLE AS tolls, round((8 + secs / 60.0 * 0.9) * 0.03, 2)::DOUBLE AS bcf,
        round((8 + secs / 60.0 * 0.9) * 0.08875, 2)::DOUBLE AS sales_tax, CASE WHEN r1 < 0.6 THEN 2.75 ELSE 0 END::DOUBLE AS congestion_surcharge,
        CAST(NULL AS INTEGER) AS airport_fee, CASE WHEN r2 < 0.2 THEN round(r1 * 8, 2) ELSE 0 END::DOUBLE AS tips,
        round(secs / 60.0 * 0.7, 2)::DOUBLE AS driver_pay, 'N' AS shared_request_flag, 'N' AS shared_match_flag, ' ' AS access_a_ride_flag,
        CASE WHEN r2 < 0.01 THEN 'Y' ELSE 'N' END AS wav_request_flag, CAST(NULL AS INTEGER) AS wav_match_flag
      FROM t
    ) TO ${q(out)} (FORMAT parquet, ROW_GROUP_SIZE 1000000, COMPRESSION snappy)`);
  });
}
