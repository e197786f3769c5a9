-- Step "merge": make the month in the main table equal to the staged rows. The staged Parquet file
-- becomes the month's partition file by one atomic rename (the adapter links it in place), which
-- replaces the month's loaded and quarantined rows together: there is no window in which the month is
-- half replaced, and the other months are not read or written. (BigQuery's twin is one MERGE bounded to
-- the month.) The statements below count what the replacement changes, then (re)define the main table
-- over the partition files.

-- name: changes
-- Only when the month was loaded before: ids staged now and not loaded before, and the reverse.
SELECT
  (SELECT count(*) FROM (
    SELECT unique_row_id FROM read_parquet({{staging_file}}) WHERE reason IS NULL
    EXCEPT
    SELECT unique_row_id FROM read_parquet({{partition_file}}) WHERE reason IS NULL
  )) AS inserted,
  (SELECT count(*) FROM (
    SELECT unique_row_id FROM read_parquet({{partition_file}}) WHERE reason IS NULL
    EXCEPT
    SELECT unique_row_id FROM read_parquet({{staging_file}}) WHERE reason IS NULL
  )) AS deleted;

-- name: view
-- union_by_name: partitions of different eras (or with evolved columns) differ in columns; a column a
-- month's file lacks reads as NULL. Every partition is written canonical columns first, then evolved
-- ones, then the row's id and file, so the view lists them in that order.
CREATE OR REPLACE VIEW {{main_table}} AS
SELECT * EXCLUDE (reason, detail, raw_line, staged_at)
FROM read_parquet({{partition_glob}}, union_by_name = true)
WHERE reason IS NULL;
