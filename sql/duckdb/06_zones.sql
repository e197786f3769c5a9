-- Step "zones": the taxi zone lookup, replaced from the file landed in the lake (twin of
-- sql/bigquery/06_zones.sql). Extract checked the file before it landed (header, four fields, distinct
-- integer ids); the header's spelling does not matter (the TLC's `LocationID`, older copies
-- `locationid`): DuckDB matches names case-insensitively. Run inside the catalog's transaction.
CREATE OR REPLACE TEMP VIEW {{zone_external}} AS
SELECT * FROM read_csv({{zone_uri}}, header = true, all_varchar = true, quote = '"', escape = '"');

CREATE OR REPLACE TABLE {{zone_table}} AS
SELECT {{zone_select}}
FROM {{zone_external}}
ORDER BY 1;
