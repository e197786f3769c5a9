/**
 * The four TLC datasets this pipeline loads: their canonical columns (from the TLC data dictionaries),
 * logical types, the month each column appears from, and the first month each dataset can be loaded.
 * Pure data: every adapter derives its DDL, casts and column lists from here, so a column is named once,
 * and every difference between datasets and eras is a value here, never a branch elsewhere.
 */
import { z } from 'zod';

/** Logical column types; each dialect maps them to its own physical type. */
export type ColumnKind = 'integer' | 'numeric' | 'timestamp' | 'string';

/** One canonical column. Files are matched to it by name, case-insensitively. */
export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  /**
   * First month whose files must carry the column. A file of an earlier month may lack it: the column
   * is then NULL for that month. A file of this month or later that lacks it is schema drift.
   */
  readonly since?: string;
}

/** The taxi datasets the TLC publishes. */
export const TAXIS = ['yellow', 'green', 'fhv', 'fhvhv'] as const;
export const TaxiSchema = z.enum(TAXIS, { error: () => 'taxi must be "yellow", "green", "fhv" or "fhvhv"' });
export type Taxi = z.infer<typeof TaxiSchema>;

/** Everything the pipeline needs to know about one dataset. */
export interface Dataset {
  readonly taxi: Taxi;
  /** Canonical columns, in the order of the TLC's current files. */
  readonly columns: readonly Column[];
  /** The column that decides which month (and partition) a trip belongs to. */
  readonly pickupColumn: string;
  readonly dropoffColumn: string;
  /** Clustering of the main table: the zone pair, which trip queries filter and group on most. */
  readonly clusterColumns: readonly [string, string];
  /** First month this pipeline loads; earlier months are refused up front with {@link Dataset.before}. */
  readonly firstMonth: string;
  /** Why months before {@link Dataset.firstMonth} are refused, for the one-line error. */
  readonly before: string;
}

const col = (name: string, kind: ColumnKind, since?: string): Column => (since ? { name, kind, since } : { name, kind });

/** The Congestion Relief Zone charge, per trip, from 2025-01-05 (all three taxi dictionaries of 2025). */
const CBD_SINCE = '2025-01';

const GREEN: Dataset = {
  taxi: 'green',
  pickupColumn: 'lpep_pickup_datetime',
  dropoffColumn: 'lpep_dropoff_datetime',
  clusterColumns: ['PULocationID', 'DOLocationID'],
  firstMonth: '2014-01',
  before: 'the TLC publishes green trips from 2014-01',
  columns: [
    col('VendorID', 'integer'),
    col('lpep_pickup_datetime', 'timestamp'),
    col('lpep_dropoff_datetime', 'timestamp'),
    col('store_and_fwd_flag', 'string'),
    col('RatecodeID', 'integer'),
    col('PULocationID', 'integer'),
    col('DOLocationID', 'integer'),
    col('passenger_count', 'integer'),
    col('trip_distance', 'numeric'),
    col('fare_amount', 'numeric'),
    col('extra', 'numeric'),
    col('mta_tax', 'numeric'),
    col('tip_amount', 'numeric'),
    col('tolls_amount', 'numeric'),
    col('ehail_fee', 'numeric'),
    col('improvement_surcharge', 'numeric'),
    col('total_amount', 'numeric'),
    col('payment_type', 'integer'),
    col('trip_type', 'integer'),
    col('congestion_surcharge', 'numeric'),
    col('cbd_congestion_fee', 'numeric', CBD_SINCE),
  ],
};

const YELLOW: Dataset = {
  taxi: 'yellow',
  pickupColumn: 'tpep_pickup_datetime',
  dropoffColumn: 'tpep_dropoff_datetime',
  clusterColumns: ['PULocationID', 'DOLocationID'],
  firstMonth: '2011-01',
  // Mapping 2009-2010 would need a point-in-zone join of coordinates against the zone shapes: a derived
  // value, not the file's. Refused rather than loaded half-typed.
  before: 'yellow files before 2011 have coordinates instead of zone ids and other column names (vendor_name, Trip_Pickup_DateTime, Start_Lon...); this pipeline loads yellow from 2011-01',
  columns: [
    col('VendorID', 'integer'),
    col('tpep_pickup_datetime', 'timestamp'),
    col('tpep_dropoff_datetime', 'timestamp'),
    col('passenger_count', 'integer'),
    col('trip_distance', 'numeric'),
    col('RatecodeID', 'integer'),
    col('store_and_fwd_flag', 'string'),
    col('PULocationID', 'integer'),
    col('DOLocationID', 'integer'),
    col('payment_type', 'integer'),
    col('fare_amount', 'numeric'),
    col('extra', 'numeric'),
    col('mta_tax', 'numeric'),
    col('tip_amount', 'numeric'),
    col('tolls_amount', 'numeric'),
    col('improvement_surcharge', 'numeric'),
    col('total_amount', 'numeric'),
    col('congestion_surcharge', 'numeric'),
    // In every TLC Parquet file from 2011 (spelt `Airport_fee` from 2023-02); the CSV mirror's yellow
    // files, which end at 2021-07, never had it.
    col('airport_fee', 'numeric', '2021-08'),
    col('cbd_congestion_fee', 'numeric', CBD_SINCE),
  ],
};

const FHV: Dataset = {
  taxi: 'fhv',
  pickupColumn: 'pickup_datetime',
  dropoffColumn: 'dropOff_datetime',
  clusterColumns: ['PUlocationID', 'DOlocationID'],
  firstMonth: '2015-01',
  before: 'the TLC publishes for-hire vehicle trips from 2015-01',
  columns: [
    col('dispatching_base_num', 'string'),
    col('pickup_datetime', 'timestamp'),
    col('dropOff_datetime', 'timestamp'),
    col('PUlocationID', 'integer'),
    col('DOlocationID', 'integer'),
    col('SR_Flag', 'integer'),
    col('Affiliated_base_number', 'string'),
  ],
};

const FHVHV: Dataset = {
  taxi: 'fhvhv',
  pickupColumn: 'pickup_datetime',
  dropoffColumn: 'dropoff_datetime',
  clusterColumns: ['PULocationID', 'DOLocationID'],
  firstMonth: '2019-02',
  before: 'the TLC publishes high-volume for-hire trips from 2019-02',
  columns: [
    col('hvfhs_license_num', 'string'),
    col('dispatching_base_num', 'string'),
    col('originating_base_num', 'string'),
    col('request_datetime', 'timestamp'),
    col('on_scene_datetime', 'timestamp'),
    col('pickup_datetime', 'timestamp'),
    col('dropoff_datetime', 'timestamp'),
    col('PULocationID', 'integer'),
    col('DOLocationID', 'integer'),
    col('trip_miles', 'numeric'),
    col('trip_time', 'integer'),
    col('base_passenger_fare', 'numeric'),
    col('tolls', 'numeric'),
    col('bcf', 'numeric'),
    col('sales_tax', 'numeric'),
    col('congestion_surcharge', 'numeric'),
    col('airport_fee', 'numeric'),
    col('tips', 'numeric'),
    col('driver_pay', 'numeric'),
    col('shared_request_flag', 'string'),
    col('shared_match_flag', 'string'),
    col('access_a_ride_flag', 'string'),
    col('wav_request_flag', 'string'),
    col('wav_match_flag', 'string'),
    col('cbd_congestion_fee', 'numeric', CBD_SINCE),
  ],
};

const DATASETS: Record<Taxi, Dataset> = { yellow: YELLOW, green: GREEN, fhv: FHV, fhvhv: FHVHV };

/** The dataset definition for a taxi. */
export function dataset(taxi: Taxi): Dataset {
  return DATASETS[taxi];
}

/** The first loadable month of each dataset, for the workflows (backfill clips its ranges to them). */
export function firstMonths(): Record<Taxi, string> {
  return Object.fromEntries(TAXIS.map((t) => [t, DATASETS[t].firstMonth])) as Record<Taxi, string>;
}
