/**
 * Look-alike TLC Parquet files, one builder per dataset, with the physical types of each era as the
 * TLC-PARQUET notes record them. Rows are the real green month's, mapped onto each dataset's columns.
 */
import type { PhysicalType, TestColumn } from './parquet.js';
import { columnsOf } from './parquet.js';

type Row = Record<string, string>;
type Spec = [string, PhysicalType, (r: Row, i: number) => string][];

/** Yellow columns from green rows; `types` overrides a column's physical type, `rename` its spelling. */
export function yellowColumns(rows: Row[], era: { types?: Record<string, PhysicalType>; rename?: Record<string, string>; omit?: string[]; extra?: Spec } = {}): TestColumn[] {
  const t = (name: string, fallback: PhysicalType): PhysicalType => era.types?.[name] ?? fallback;
  const spec: Spec = [
    ['VendorID', t('VendorID', 'INT64'), (r) => r.VendorID || '2'],
    ['tpep_pickup_datetime', t('tpep_pickup_datetime', 'TIMESTAMP'), (r) => r.lpep_pickup_datetime!],
    ['tpep_dropoff_datetime', t('tpep_dropoff_datetime', 'TIMESTAMP'), (r) => r.lpep_dropoff_datetime!],
    ['passenger_count', t('passenger_count', 'DOUBLE'), (r) => r.passenger_count!],
    ['trip_distance', 'DOUBLE', (r) => r.trip_distance!],
    ['RatecodeID', t('RatecodeID', 'DOUBLE'), (r) => r.RatecodeID!],
    ['store_and_fwd_flag', 'STRING', (r) => r.store_and_fwd_flag!],
    ['PULocationID', t('PULocationID', 'INT64'), (r) => r.PULocationID!],
    ['DOLocationID', t('DOLocationID', 'INT64'), (r) => r.DOLocationID!],
    ['payment_type', 'INT64', (r) => r.payment_type!],
    ['fare_amount', 'DOUBLE', (r) => r.fare_amount!],
    ['extra', 'DOUBLE', (r) => r.extra!],
    ['mta_tax', 'DOUBLE', (r) => r.mta_tax!],
    ['tip_amount', 'DOUBLE', (r) => r.tip_amount!],
    ['tolls_amount', 'DOUBLE', (r) => r.tolls_amount!],
    ['improvement_surcharge', 'DOUBLE', (r) => r.improvement_surcharge!],
    ['total_amount', 'DOUBLE', (r) => r.total_amount!],
    ['congestion_surcharge', t('congestion_surcharge', 'DOUBLE'), (r) => r.congestion_surcharge!],
    ['airport_fee', t('airport_fee', 'DOUBLE'), (_r, i) => (i % 10 === 0 ? '1.75' : '0')],
    ['cbd_congestion_fee', t('cbd_congestion_fee', 'DOUBLE'), (_r, i) => (i % 2 === 0 ? '0.75' : '0')],
    ...(era.extra ?? []),
  ];
  return columnsOf(
    rows,
    spec.filter(([name]) => !era.omit?.includes(name)).map(([name, type, get]) => [era.rename?.[name] ?? name, type, get] as const),
  );
}

/**
 * Green columns as the TLC Parquet writes them: integer codes as DOUBLE, ehail_fee null-typed; from
 * 2025 (`cbd` true) with the Congestion Relief Zone fee.
 */
export function greenColumns(rows: Row[], cbd = false): TestColumn[] {
  const spec: Spec = [
    ['VendorID', 'INT64', (r) => r.VendorID!],
    ['lpep_pickup_datetime', 'TIMESTAMP', (r) => r.lpep_pickup_datetime!],
    ['lpep_dropoff_datetime', 'TIMESTAMP', (r) => r.lpep_dropoff_datetime!],
    ['store_and_fwd_flag', 'STRING', (r) => r.store_and_fwd_flag!],
    ['RatecodeID', 'DOUBLE', (r) => r.RatecodeID!],
    ['PULocationID', 'INT64', (r) => r.PULocationID!],
    ['DOLocationID', 'INT64', (r) => r.DOLocationID!],
    ['passenger_count', 'DOUBLE', (r) => r.passenger_count!],
    ['trip_distance', 'DOUBLE', (r) => r.trip_distance!],
    ['fare_amount', 'DOUBLE', (r) => r.fare_amount!],
    ['extra', 'DOUBLE', (r) => r.extra!],
    ['mta_tax', 'DOUBLE', (r) => r.mta_tax!],
    ['tip_amount', 'DOUBLE', (r) => r.tip_amount!],
    ['tolls_amount', 'DOUBLE', (r) => r.tolls_amount!],
    ['ehail_fee', 'NULL', () => ''],
    ['improvement_surcharge', 'DOUBLE', (r) => r.improvement_surcharge!],
    ['total_amount', 'DOUBLE', (r) => r.total_amount!],
    ['payment_type', 'DOUBLE', (r) => r.payment_type!],
    ['trip_type', 'DOUBLE', (r) => r.trip_type!],
    ['congestion_surcharge', 'DOUBLE', (r) => r.congestion_surcharge!],
    ...(cbd ? ([['cbd_congestion_fee', 'DOUBLE', (_r: Row, i: number) => (i % 4 === 0 ? '0.75' : '0')]] as Spec) : []),
  ];
  return columnsOf(rows, spec);
}

/** FHV columns: location ids DOUBLE, SR_Flag null-typed. */
export function fhvColumns(rows: Row[]): TestColumn[] {
  return columnsOf(rows, [
    ['dispatching_base_num', 'STRING', (_r, i) => `B0${String(10 + (i % 80)).padStart(4, '0')}`],
    ['pickup_datetime', 'TIMESTAMP', (r) => r.lpep_pickup_datetime!],
    ['dropOff_datetime', 'TIMESTAMP', (r) => r.lpep_dropoff_datetime!],
    ['PUlocationID', 'DOUBLE', (r) => r.PULocationID!],
    ['DOlocationID', 'DOUBLE', (r) => r.DOLocationID!],
    ['SR_Flag', 'NULL', () => ''],
    ['Affiliated_base_number', 'STRING', (_r, i) => (i % 3 ? 'B02510' : '')],
  ]);
}

/** FHVHV columns: ids INT32, trip_time INT64, money DOUBLE, flags strings; airport_fee null-typed, wav_match_flag INT32 all null. */
export function fhvhvColumns(rows: Row[]): TestColumn[] {
  return columnsOf(rows, [
    ['hvfhs_license_num', 'STRING', (_r, i) => ['HV0003', 'HV0005', 'HV0004'][i % 3]!],
    ['dispatching_base_num', 'STRING', () => 'B02764'],
    ['originating_base_num', 'STRING', (_r, i) => (i % 2 ? 'B02764' : '')],
    ['request_datetime', 'TIMESTAMP', (r) => r.lpep_pickup_datetime!],
    ['on_scene_datetime', 'TIMESTAMP', (r, i) => (i % 2 ? r.lpep_pickup_datetime! : '')],
    ['pickup_datetime', 'TIMESTAMP', (r) => r.lpep_pickup_datetime!],
    ['dropoff_datetime', 'TIMESTAMP', (r) => r.lpep_dropoff_datetime!],
    ['PULocationID', 'INT32', (r) => r.PULocationID!],
    ['DOLocationID', 'INT32', (r) => r.DOLocationID!],
    ['trip_miles', 'DOUBLE', (r) => r.trip_distance!],
    ['trip_time', 'INT64', (_r, i) => String(300 + i)],
    ['base_passenger_fare', 'DOUBLE', (r) => r.fare_amount!],
    ['tolls', 'DOUBLE', (r) => r.tolls_amount!],
    ['bcf', 'DOUBLE', () => '0.51'],
    ['sales_tax', 'DOUBLE', () => '1.12'],
    ['congestion_surcharge', 'DOUBLE', (r) => r.congestion_surcharge!],
    ['airport_fee', 'NULL', () => ''],
    ['tips', 'DOUBLE', (r) => r.tip_amount!],
    ['driver_pay', 'DOUBLE', (r) => r.total_amount!],
    ['shared_request_flag', 'STRING', () => 'N'],
    ['shared_match_flag', 'STRING', () => 'N'],
    ['access_a_ride_flag', 'STRING', () => ' '],
    ['wav_request_flag', 'STRING', () => 'N'],
    // INT32 with no value at all: older files write a whole text column this way
    ['wav_match_flag', 'INT32', () => ''],
  ]);
}
