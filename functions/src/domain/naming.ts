/**
 * Names derived from (taxi, month): release URL, lake object key, table names. One place, so the
 * extract step, the warehouse adapters and the infrastructure agree.
 */
import type { Taxi } from './datasets.js';
import type { Month } from './months.js';

/** File name of a release, e.g. `green_tripdata_2020-10.csv.gz`. */
export function releaseFileName(taxi: Taxi, month: Month): string {
  return `${taxi}_tripdata_${month}.csv.gz`;
}

/** `{base}/{taxi}/{taxi}_tripdata_{YYYY}-{MM}.csv.gz` */
export function releaseUrl(base: string, taxi: Taxi, month: Month): string {
  return `${base.replace(/\/+$/, '')}/${taxi}/${releaseFileName(taxi, month)}`;
}

/** Lake key of the raw file: `raw/{taxi}/{YYYY}/{taxi}_tripdata_{YYYY-MM}.csv.gz`. */
export function rawObjectKey(taxi: Taxi, month: Month): string {
  return `raw/${taxi}/${month.slice(0, 4)}/${releaseFileName(taxi, month)}`;
}

/** Lake key of the lease that serialises replacements of one month. */
export function leaseKey(taxi: Taxi, month: Month): string {
  return `leases/${taxi}_tripdata_${month}.lock`;
}

/** Main table: `{taxi}_tripdata`. */
export function mainTable(taxi: Taxi): string {
  return `${taxi}_tripdata`;
}

/** Quarantine table: `{taxi}_tripdata_quarantine`. */
export function quarantineTable(taxi: Taxi): string {
  return `${taxi}_tripdata_quarantine`;
}

/** Staging table of one month: `{taxi}_tripdata_staging_{YYYY}_{MM}`. */
export function stagingTable(taxi: Taxi, month: Month): string {
  return `${taxi}_tripdata_staging_${month.replace('-', '_')}`;
}
