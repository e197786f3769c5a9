-- Step "tables": the main and quarantine tables, created on first use.
-- Main: the source header's columns, typed, plus unique_row_id (hex md5 of the row's text) and filename.
CREATE TABLE IF NOT EXISTS {{main_table}} (
{{column_definitions}},
  unique_row_id VARCHAR NOT NULL,
  filename VARCHAR NOT NULL
);

-- Quarantine: every source line that did not reach the main table, with its one reason.
CREATE TABLE IF NOT EXISTS {{quarantine_table}} (
  filename VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  detail VARCHAR,
  raw_line VARCHAR,
  quarantined_at TIMESTAMP NOT NULL
);
