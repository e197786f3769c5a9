-- Step "trips": one view over the four datasets' main tables, in one column set, with the pick-up and
-- drop-off zones named (twin of sql/bigquery/07_trips.sql). The select is generated from
-- domain/trips.ts: a measure a dataset does not record is a typed NULL.
CREATE OR REPLACE VIEW {{trips_view}} AS
{{trips_select}};

-- The analyst's names: BigQuery's default dataset is `nyc_taxi`, so the README's queries name
-- `nyc_taxi.trips` and `nyc_taxi.taxi_zone_lookup`, and run unchanged here too.
CREATE SCHEMA IF NOT EXISTS {{analyst_schema}};

CREATE OR REPLACE VIEW {{analyst_trips}} AS SELECT * FROM {{analyst_main_trips}};

CREATE OR REPLACE VIEW {{analyst_zones}} AS SELECT * FROM {{analyst_main_zones}};
