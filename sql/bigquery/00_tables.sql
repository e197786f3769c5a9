-- Step "tables": the main and quarantine tables, created on first use (twin of sql/duckdb/00_tables.sql).
-- Main: the dataset's canonical columns, typed, plus unique_row_id (hex md5 of the row's canonical typed values) and filename.
-- Partitioned by pickup day, so a month replacement touches only that month's partitions; clustered on
-- the zone pair, the filter and grouping of most trip queries. A table holds at most 10,000 partitions
-- (yellow from 2011 is about 5,800 days) and one job may modify at most 4,000 (a month is 28-31).
CREATE TABLE IF NOT EXISTS {{main_table}} (
{{column_definitions}},
  unique_row_id STRING NOT NULL,
  filename STRING NOT NULL
)
PARTITION BY DATE({{pickup}})
CLUSTER BY {{cluster_columns}};

-- A table created before a column joined the dataset (airport_fee, cbd_congestion_fee), or an evolved
-- column: added, NULL for the rows already loaded.
ALTER TABLE {{main_table}}
{{add_columns}};

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

-- Fences: per (taxi, month), the lease token and execution of the last committed merge. The merge's
-- transaction claims the month's row with its own token and checks it before anything else
-- (03_merge.sql), so an execution that lost its lease can never commit over a newer one's month.
CREATE TABLE IF NOT EXISTS {{fence_table}} (
  taxi STRING NOT NULL,
  month STRING NOT NULL,
  token INT64 NOT NULL,
  holder STRING NOT NULL,
  committed_at TIMESTAMP NOT NULL
)
CLUSTER BY taxi, month;
