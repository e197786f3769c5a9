/**
 * The two TLC datasets this pipeline loads: their ordered columns, logical types and release URLs.
 * Pure data: every adapter derives its DDL, casts and column lists from here, so a column is named once.
 */
import { z } from 'zod';

/** Logical column types; each dialect maps them to its own physical type. */
export type ColumnKind = 'integer' | 'numeric' | 'timestamp' | 'string';

/** One source column, named exactly as in the release file's header. */
export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** The taxi datasets published by the releases. */
export const TAXIS = ['yellow', 'green'] as const;
export const TaxiSchema = z.enum(TAXIS, { error: () => 'taxi must be "yellow" or "green"' });
export type Taxi = z.infer<typeof TaxiSchema>;

/** Everything the pipeline needs to know about one dataset. */
export interface Dataset {
  readonly taxi: Taxi;
  /** Columns in the order the release files write them. */
  readonly columns: readonly Column[];
  /** The column that decides which month (and partition) a trip belongs to. */
  readonly pickupColumn: string;
  readonly dropoffColumn: string;
}

const col = (name: string, kind: ColumnKind): Column => ({ name, kind });

const GREEN: Dataset = {
  taxi: 'green',
  pickupColumn: 'lpep_pickup_datetime',
  dropoffColumn: 'lpep_dropoff_datetime',
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
  ],
};

const YELLOW: Dataset = {
  taxi: 'yellow',
  pickupColumn: 'tpep_pickup_datetime',
  dropoffColumn: 'tpep_dropoff_datetime',
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
  ],
};

const DATASETS: Record<Taxi, Dataset> = { green: GREEN, yellow: YELLOW };

/** The dataset definition for a taxi. */
export function dataset(taxi: Taxi): Dataset {
  return DATASETS[taxi];
}

/** Default release host: the DataTalksClub mirror of the TLC files. */
export const DEFAULT_SOURCE_URL = 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download';
