/**
 * Names derived from (taxi, month): release URL, lake object key, table names. One place, so the
 * extract step, the warehouse adapters and the infrastructure agree.
 */
import type { Taxi } from './datasets.js';
import { FORMAT_EXTENSIONS, PLAIN_TEXT_EXTENSIONS, type FileFormat } from './file-formats.js';
import type { Month } from './months.js';

/** The name every file of a month starts with, whatever its format: `green_tripdata_2020-10.` */
export function releaseFileStem(taxi: Taxi, month: Month): string {
  return `${taxi}_tripdata_${month}.`;
}

/** File name of a release, e.g. `green_tripdata_2020-10.parquet` or `green_tripdata_2020-10.csv.gz`. */
export function releaseFileName(taxi: Taxi, month: Month, format: FileFormat): string {
  return `${taxi}_tripdata_${month}${FORMAT_EXTENSIONS[format]}`;
}

/** Lake key of the raw file: `raw/{taxi}/{YYYY}/{taxi}_tripdata_{YYYY-MM}.{parquet|csv.gz}`. */
export function rawObjectKey(taxi: Taxi, month: Month, format: FileFormat): string {
  return `raw/${taxi}/${month.slice(0, 4)}/${releaseFileName(taxi, month, format)}`;
}

/**
 * Lake key of the inflated text of a month's raw file, kept by extract for the stage when the warehouse
 * reads it (`work/{taxi}/{YYYY}/{taxi}_tripdata_{YYYY-MM}.csv`); null for a format that is not inflated.
 * A scratch copy, not part of the lake's record: the stage removes it once it staged the month.
 */
export function plainTextKey(taxi: Taxi, month: Month, format: FileFormat): string | null {
  const ext = PLAIN_TEXT_EXTENSIONS[format];
  return ext ? `work/${taxi}/${month.slice(0, 4)}/${taxi}_tripdata_${month}${ext}` : null;
}

/** Lake key of the lease that serialises replacements of one month. */
export function leaseKey(taxi: Taxi, month: Month): string {
  return `leases/${taxi}_tripdata_${month}.lock`;
}

/** Lake key of the record of a month's last load: which raw object generation the tables hold. */
export function loadRecordKey(taxi: Taxi, month: Month): string {
  return `loads/${taxi}/${taxi}_tripdata_${month}.json`;
}

/** Main table: `{taxi}_tripdata`. */
export function mainTable(taxi: Taxi): string {
  return `${taxi}_tripdata`;
}

/** Quarantine table: `{taxi}_tripdata_quarantine`. */
export function quarantineTable(taxi: Taxi): string {
  return `${taxi}_tripdata_quarantine`;
}

/**
 * BigQuery's fence table: per (taxi, month), the lease token and execution of the last committed merge,
 * claimed and checked inside the merge's transaction.
 */
export const FENCE_TABLE = 'month_fences';

/** Staging table of one month: `{taxi}_tripdata_staging_{YYYY}_{MM}`. */
export function stagingTable(taxi: Taxi, month: Month): string {
  return `${taxi}_tripdata_staging_${month.replace('-', '_')}`;
}

/**
 * The schema the embedded warehouse mirrors the analyst's objects into: BigQuery's default dataset name,
 * so SQL naming `nyc_taxi.trips` runs unchanged in the BigQuery console and in `taxi-elt query`.
 */
export const ANALYST_SCHEMA = 'nyc_taxi';
