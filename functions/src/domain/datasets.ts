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
  /** What a row of the main table is, for the table's description. */
  readonly description: string;
  /** Column meanings that differ from the shared ones in {@link MEANINGS} (same name, other codes). */
  readonly meanings?: Readonly<Record<string, string>>;
  /**
   * The dataset's columns behind each measure of the `trips` view (see trips.ts); absent = the dataset
   * does not record it, and the view's column is NULL for its rows.
   */
  readonly trips: TripMeasures;
}

/** Main-table columns the `trips` view reads for its measures. */
export interface TripMeasures {
  readonly distance?: string;
  readonly fare?: string;
  readonly tip?: string;
  readonly total?: string;
  readonly passengers?: string;
  readonly paymentType?: string;
}

const NY_TIME = 'New York local time (America/New_York wall clock, no zone), as the TLC publishes it';
const ZONE_JOIN = 'join taxi_zone_lookup.LocationID for the borough and zone name';

/**
 * What each column means, from the TLC data dictionaries (yellow, green, FHV, HVFHV), by lower-case
 * name: the datasets share most names. A dataset whose column means something else overrides it in
 * {@link Dataset.meanings}. Amounts are US dollars; distances miles.
 */
const MEANINGS: Readonly<Record<string, string>> = {
  vendorid: 'Technology provider that recorded the trip: 1 = Creative Mobile Technologies, 2 = Curb Mobility (VeriFone), 6 = Myle Technologies, 7 = Helix',
  tpep_pickup_datetime: `When the meter was engaged, ${NY_TIME}`,
  tpep_dropoff_datetime: `When the meter was disengaged, ${NY_TIME}`,
  lpep_pickup_datetime: `When the meter was engaged, ${NY_TIME}`,
  lpep_dropoff_datetime: `When the meter was disengaged, ${NY_TIME}`,
  pickup_datetime: `When the trip started (passenger picked up), ${NY_TIME}`,
  dropoff_datetime: `When the trip ended (passenger dropped off), ${NY_TIME}`,
  passenger_count: 'Number of passengers in the vehicle, as entered by the driver',
  trip_distance: 'Trip distance in miles, as the taximeter reported it',
  ratecodeid: 'Rate code in effect at the end of the trip: 1 = Standard rate, 2 = JFK, 3 = Newark, 4 = Nassau or Westchester, 5 = Negotiated fare, 6 = Group ride, 99 = unknown',
  store_and_fwd_flag: 'Y = the record was held in the vehicle\'s memory before being sent (no connection to the server), N = sent at once',
  pulocationid: `TLC taxi zone where the trip started; ${ZONE_JOIN}`,
  dolocationid: `TLC taxi zone where the trip ended; ${ZONE_JOIN}`,
  payment_type: 'How the passenger paid: 0 = Flex Fare trip, 1 = Credit card, 2 = Cash, 3 = No charge, 4 = Dispute, 5 = Unknown, 6 = Voided trip',
  fare_amount: 'Time-and-distance fare calculated by the meter, USD',
  extra: 'Miscellaneous extras and surcharges (rush hour and overnight charges), USD',
  mta_tax: 'MTA tax, triggered automatically by the metered rate in use, USD',
  tip_amount: 'Tip, USD; filled automatically for credit card tips, cash tips are not included',
  tolls_amount: 'Total tolls paid during the trip, USD',
  ehail_fee: 'E-hail fee, USD (mostly empty)',
  improvement_surcharge: 'Improvement surcharge assessed at the flag drop, USD',
  total_amount: 'Total amount charged to the passenger, USD; cash tips are not included',
  trip_type: 'How the trip was requested: 1 = Street-hail, 2 = Dispatch',
  congestion_surcharge: 'New York State congestion surcharge, USD',
  airport_fee: 'Airport fee for pick-ups at LaGuardia and JFK, USD',
  cbd_congestion_fee: 'MTA Congestion Relief Zone toll per trip (from 2025-01-05), USD',
  dispatching_base_num: 'TLC license number of the base that dispatched the trip',
  sr_flag: '1 = the trip was part of a shared ride chain offered by a high-volume company (e.g. Uber Pool, Lyft Line); NULL otherwise',
  affiliated_base_number: 'TLC license number of the base the vehicle is affiliated with',
  hvfhs_license_num: 'High-volume for-hire company: HV0002 = Juno, HV0003 = Uber, HV0004 = Via, HV0005 = Lyft',
  originating_base_num: 'TLC license number of the base that received the original trip request',
  request_datetime: `When the passenger requested the pick-up, ${NY_TIME}`,
  on_scene_datetime: `When the driver arrived at the pick-up location (accessible vehicles only), ${NY_TIME}`,
  trip_miles: 'Miles driven for the passenger trip',
  trip_time: 'Seconds spent on the passenger trip',
  base_passenger_fare: 'Base passenger fare before tolls, tips, taxes and fees, USD',
  tolls: 'Total tolls paid during the trip, USD',
  bcf: 'Black Car Fund charge, USD',
  sales_tax: 'New York State sales tax, USD',
  tips: 'Tips the passenger gave the driver, USD',
  driver_pay: 'Total driver pay, without tolls or tips and net of commission, surcharges and taxes, USD',
  shared_request_flag: 'Y = the passenger agreed to a shared/pooled ride, matched or not; N otherwise',
  shared_match_flag: 'Y = the passenger shared the vehicle with another passenger who booked separately; N otherwise',
  access_a_ride_flag: 'Y = the trip was administered for the MTA\'s Access-A-Ride; N otherwise',
  wav_request_flag: 'Y = the passenger requested a wheelchair-accessible vehicle; N otherwise',
  wav_match_flag: 'Y = the trip took place in a wheelchair-accessible vehicle; N otherwise',
};

/** The meaning of a dataset's column (TLC data dictionaries). */
export function columnDescription(ds: Dataset, name: string): string {
  const meaning = ds.meanings?.[name] ?? MEANINGS[name.toLowerCase()];
  if (!meaning) throw new Error(`no description for ${ds.taxi} column ${name}`);
  return meaning;
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
  description: 'NYC green taxi (street-hail livery, boro taxi) trips, one row per trip, as the TLC published them (LPEP); loaded by nyc-taxi-elt',
  meanings: { VendorID: 'Technology provider that recorded the trip: 1 = Creative Mobile Technologies, 2 = Curb Mobility (VeriFone), 6 = Myle Technologies' },
  trips: { distance: 'trip_distance', fare: 'fare_amount', tip: 'tip_amount', total: 'total_amount', passengers: 'passenger_count', paymentType: 'payment_type' },
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
  description: 'NYC yellow taxi (medallion) trips, one row per trip, as the TLC published them (TPEP); loaded by nyc-taxi-elt',
  trips: { distance: 'trip_distance', fare: 'fare_amount', tip: 'tip_amount', total: 'total_amount', passengers: 'passenger_count', paymentType: 'payment_type' },
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
  description: 'NYC for-hire vehicle trips (community livery, black car, luxury limousine bases), one row per trip as the base reported it: no fares, distances or passenger counts; loaded by nyc-taxi-elt',
  meanings: { dropOff_datetime: `When the trip ended (passenger dropped off), ${NY_TIME}` },
  trips: {},
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
  description: 'NYC high-volume for-hire trips (Uber, Lyft, Via, Juno), one row per trip, as the TLC published them; loaded by nyc-taxi-elt',
  meanings: { airport_fee: 'Airport fee for drop-offs and pick-ups at LaGuardia, Newark and JFK, USD' },
  trips: { distance: 'trip_miles', fare: 'base_passenger_fare', tip: 'tips' },
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
