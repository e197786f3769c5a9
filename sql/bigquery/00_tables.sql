-- Step "tables": the main and quarantine tables, created on first use (twin of sql/duckdb/00_tables.sql).
-- Main: the source header's columns, typed, plus unique_row_id (hex md5 of the row's text) and filename.
-- Partitioned by pickup day, so a month replacement touches only that month's partitions; clustered on
-- the zone pair, the filter and grouping of most trip queries. Daily partitions stay under BigQuery's
-- 4,000-partition limit for about ten years of data; past that, DATETIME_TRUNC(pickup, MONTH) fits.
CREATE TABLE IF NOT EXISTS {{main_table}} (
{{column_definitions}},
  unique_row_id STRING NOT NULL,
  filename STRING NOT NULL
)
PARTITION BY DATE({{pickup}})
CLUSTER BY {{cluster_columns}};

-- Quarantine: every source line that did not reach the main table, with its one reason. Clustered on
-- filename (each file's rows are replaced as a block) then reason (the usual question is "why").
CREATE TABLE IF NOT EXISTS {{quarantine_table}} (
  filename STRING NOT NULL,
  reason STRING NOT NULL,
  detail STRING,
  raw_line STRING,
  quarantined_at TIMESTAMP NOT NULL
)
CLUSTER BY filename, reason;
