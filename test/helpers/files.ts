/**
 * Test files: gzip CSVs written from lines, temp dirs, and the bundled real month.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');
export const REAL_MONTH = join(FIXTURES, 'green_tripdata_2020-10.csv.gz');
/** The real taxi zone lookup, and where a loopback source publishes it (beside the trip files). */
export const ZONES_FILE = join(FIXTURES, 'taxi_zone_lookup.csv');
export const ZONES_PATH = '/misc/taxi_zone_lookup.csv';

/** The fixture's zones as `[LocationID, Borough, Zone, service_zone]` text, read with a plain split (no field of it has a comma). */
export function fixtureZones(): string[][] {
  return readFileSync(ZONES_FILE, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map((f) => f.replace(/^"|"$/g, '')));
}
export const GREEN_HEADER =
  'VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,store_and_fwd_flag,RatecodeID,PULocationID,DOLocationID,passenger_count,trip_distance,fare_amount,extra,mta_tax,tip_amount,tolls_amount,ehail_fee,improvement_surcharge,total_amount,payment_type,trip_type,congestion_surcharge';

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'taxi-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write `lines` (header first) as a gzip file. */
export function writeGzCsv(path: string, lines: string[]): string {
  writeFileSync(path, gzipSync(Buffer.from(lines.join('\n') + '\n')));
  return path;
}

/** The real month's lines, header first, without their line breaks (the file uses CRLF). */
export function realMonthLines(): string[] {
  return gunzipSync(readFileSync(REAL_MONTH)).toString('utf8').replace(/\r?\n$/, '').split(/\r?\n/);
}

/**
 * A green month file made from the real month's first `rows` October rows with a day up to the
 * 28th, moved into `month` (so every row is in the month and distinct).
 */
export function greenMonthFile(dir: string, month: string, rows: number): { path: string; rows: number } {
  const lines = realMonthLines();
  const picked = lines
    .slice(1)
    .filter((l) => /^[^,]*,2020-10-(0[1-9]|1\d|2[0-8]) /.test(l) && /^[^,]*,[^,]*,2020-10-(0[1-9]|1\d|2[0-8]) /.test(l))
    .slice(0, rows)
    .map((l) => l.replace(/2020-10-/g, `${month}-`));
  const path = join(dir, `green_tripdata_${month}.csv.gz`);
  writeGzCsv(path, [lines[0]!, ...picked]);
  return { path, rows: picked.length };
}
