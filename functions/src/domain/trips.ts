/**
 * The `trips` view: the four datasets' main tables in one column set, with zone names joined in, for
 * analysts. What each column reads in each dataset is data (`Dataset.trips` in datasets.ts); a dataset
 * that does not record a measure has NULL there (fhv: no fares, distances, passengers or payment).
 */
import { dataset, TAXIS, type ColumnKind, type Dataset, type TripMeasures } from './datasets.js';

/** The view's name, in every warehouse. */
export const TRIPS_VIEW = 'trips';

/** How the payment type codes of yellow and green read (TLC data dictionaries). */
export const PAYMENT_TYPES: Readonly<Record<number, string>> = {
  0: 'Flex Fare trip',
  1: 'Credit card',
  2: 'Cash',
  3: 'No charge',
  4: 'Dispute',
  5: 'Unknown',
  6: 'Voided trip',
};

/** Where a column of the view comes from, per dataset. */
export type TripSource =
  | { readonly from: 'taxi' }
  | { readonly from: 'column'; readonly column: (ds: Dataset) => string | undefined }
  | { readonly from: 'payment_name'; readonly column: (ds: Dataset) => string | undefined }
  | { readonly from: 'zone'; readonly side: 'pickup' | 'dropoff'; readonly field: 'Borough' | 'Zone' };

/** A column of the view. */
export interface TripColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly description: string;
  readonly source: TripSource;
}

const measure = (key: keyof TripMeasures) => (ds: Dataset) => ds.trips[key];

/** The view's columns, in order. */
export const TRIP_COLUMNS: readonly TripColumn[] = [
  { name: 'service_type', kind: 'string', description: 'Which dataset the trip comes from: yellow, green, fhv or fhvhv', source: { from: 'taxi' } },
  { name: 'pickup_datetime', kind: 'timestamp', description: 'When the trip started, New York local time (no zone)', source: { from: 'column', column: (ds) => ds.pickupColumn } },
  { name: 'dropoff_datetime', kind: 'timestamp', description: 'When the trip ended, New York local time (no zone)', source: { from: 'column', column: (ds) => ds.dropoffColumn } },
  { name: 'pickup_location_id', kind: 'integer', description: 'TLC taxi zone where the trip started (taxi_zone_lookup.LocationID)', source: { from: 'column', column: (ds) => ds.clusterColumns[0] } },
  { name: 'pickup_borough', kind: 'string', description: 'Borough of the pick-up zone; NULL when the zone is unknown', source: { from: 'zone', side: 'pickup', field: 'Borough' } },
  { name: 'pickup_zone', kind: 'string', description: 'Name of the pick-up zone; NULL when the zone is unknown', source: { from: 'zone', side: 'pickup', field: 'Zone' } },
  { name: 'dropoff_location_id', kind: 'integer', description: 'TLC taxi zone where the trip ended (taxi_zone_lookup.LocationID)', source: { from: 'column', column: (ds) => ds.clusterColumns[1] } },
  { name: 'dropoff_borough', kind: 'string', description: 'Borough of the drop-off zone; NULL when the zone is unknown', source: { from: 'zone', side: 'dropoff', field: 'Borough' } },
  { name: 'dropoff_zone', kind: 'string', description: 'Name of the drop-off zone; NULL when the zone is unknown', source: { from: 'zone', side: 'dropoff', field: 'Zone' } },
  { name: 'trip_distance', kind: 'numeric', description: 'Miles: the taximeter\'s trip_distance (yellow, green), trip_miles (fhvhv); NULL for fhv', source: { from: 'column', column: measure('distance') } },
  { name: 'fare_amount', kind: 'numeric', description: 'Fare before extras, USD: fare_amount (yellow, green), base_passenger_fare (fhvhv); NULL for fhv', source: { from: 'column', column: measure('fare') } },
  { name: 'tip_amount', kind: 'numeric', description: 'Tip, USD: tip_amount (yellow, green; credit card tips only), tips (fhvhv); NULL for fhv', source: { from: 'column', column: measure('tip') } },
  { name: 'total_amount', kind: 'numeric', description: 'Total charged to the passenger, USD (yellow, green); NULL for fhv and fhvhv, whose files carry no total', source: { from: 'column', column: measure('total') } },
  { name: 'passenger_count', kind: 'integer', description: 'Passengers, as entered by the driver (yellow, green); NULL for fhv and fhvhv', source: { from: 'column', column: measure('passengers') } },
  { name: 'payment_type_name', kind: 'string', description: 'How the passenger paid (yellow, green): Credit card, Cash, No charge, Dispute, Unknown, Voided trip, Flex Fare trip; NULL for fhv and fhvhv', source: { from: 'payment_name', column: measure('paymentType') } },
  { name: 'filename', kind: 'string', description: 'The TLC release file the row was loaded from', source: { from: 'column', column: () => 'filename' } },
];

/** The view's description. */
export const TRIPS_DESCRIPTION =
  'Every loaded trip of the four TLC datasets (yellow, green, fhv, fhvhv) in one column set, pick-up and drop-off zones named; rows of the main tables only (quarantined rows are in the *_quarantine tables). A measure a dataset does not record is NULL for its rows.';

/** The datasets, in the order the view unions them. */
export const TRIP_DATASETS = TAXIS.map(dataset);
