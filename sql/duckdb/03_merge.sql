-- Step "merge": make the month in the main table equal to the staged rows. The staged Parquet file
-- becomes the month's partition file by one atomic rename (the adapter links it in place), which
-- replaces the month's loaded and quarantined rows together: there is no window in which the month is
-- half replaced, and the other months are not read or written. (BigQuery's twin is one MERGE bounded to
-- the month.) The statements below count what the replacement changes, then (re)define the main table
-- over the partition files.

-- name: changes
-- Only when the month was loaded before: rows staged now and not loaded before, and the reverse, told
-- apart by their values' 64-bit hash (each file's own columns; one an older file lacks is NULL).
SELECT
  (SELECT count(*) FROM (
    SELECT {{row_hash}} FROM read_parquet({{staging_file}}) WHERE reason IS NULL
    EXCEPT
    SELECT {{partition_row_hash}} FROM read_parquet({{partition_file}}) WHERE reason IS NULL
  )) AS inserted,
  (SELECT count(*) FROM (
    SELECT {{partition_row_hash}} FROM read_parquet({{partition_file}}) WHERE reason IS NULL
    EXCEPT
    SELECT {{row_hash}} FROM read_parquet({{staging_file}}) WHERE reason IS NULL
  )) AS deleted;

-- name: view
-- union_by_name: partitions of different eras (or with evolved columns) differ in columns; a column a
-- month's file lacks reads as NULL. Every partition is written canonical columns first, then evolved
-- ones, then the row's id and file, so the view lists them in that order (and not the fate and
-- bookkeeping columns, by name: a file from before row_hash lacks it). The id is computed here, as the
-- view is read (only when a query asks for it); files written before it was computed on read hold it.
CREATE OR REPLACE VIEW {{main_table}} AS
SELECT COLUMNS(c -> c NOT IN ({{partition_own_columns}})), coalesce(unique_row_id, {{view_row_id}}) AS unique_row_id, filename
FROM read_parquet({{partition_glob}}, union_by_name = true)
WHERE reason IS NULL;
