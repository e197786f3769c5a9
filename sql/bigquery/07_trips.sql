-- Step "trips": one view over the four datasets' main tables, in one column set, with the pick-up and
-- drop-off zones named (twin of sql/duckdb/07_trips.sql). The select is generated from
-- domain/trips.ts: a measure a dataset does not record is a typed NULL.
-- The view's description is set by 08_descriptions; its columns' are not written on BigQuery: ALTER VIEW
-- cannot, and a column list with OPTIONS is not accepted by the ZetaSQL analyzer the tests check with.
CREATE OR REPLACE VIEW {{trips_view}} AS
{{trips_select}};
