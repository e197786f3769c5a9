-- Step "zones": the taxi zone lookup, replaced from the file landed in the lake (twin of
-- sql/duckdb/06_zones.sql). Extract checked the file before it landed (header, four fields, distinct
-- integer ids). The external table reads every field as text under our names (the header line is
-- skipped, so its spelling does not matter); the CREATE OR REPLACE swaps the table in one step.
CREATE OR REPLACE EXTERNAL TABLE {{zone_external}} (
{{zone_external_columns}}
)
OPTIONS (
  format = 'CSV',
  uris = [{{zone_uri}}],
  skip_leading_rows = 1
);

CREATE OR REPLACE TABLE {{zone_table}} AS
SELECT {{zone_select}}
FROM {{zone_external}};
