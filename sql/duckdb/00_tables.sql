-- Step "tables": the main and quarantine tables, created empty on first use.
-- The embedded warehouse keeps each loaded month as one Parquet partition file under
-- `<data dir>/tables/<main table>/`, holding the month's staged rows with their fate; the main and
-- quarantine tables are views over those files (see 03_merge and 04_quarantine), so replacing a month
-- is one atomic file rename for both. Until a month lands they are empty, with the same columns.
-- Main: the dataset's canonical columns, typed, plus unique_row_id (hex md5 of the row's canonical typed values) and filename.
CREATE VIEW IF NOT EXISTS {{main_table}} AS
SELECT
{{empty_columns}},
  CAST(NULL AS VARCHAR) AS unique_row_id,
  CAST(NULL AS VARCHAR) AS filename
WHERE false;

-- Quarantine: every source line that did not reach the main table, with its one reason.
CREATE VIEW IF NOT EXISTS {{quarantine_table}} AS
SELECT
  CAST(NULL AS VARCHAR) AS filename,
  CAST(NULL AS VARCHAR) AS reason,
  CAST(NULL AS VARCHAR) AS detail,
  CAST(NULL AS VARCHAR) AS raw_line,
  CAST(NULL AS TIMESTAMP) AS quarantined_at
WHERE false;
