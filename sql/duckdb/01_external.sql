-- Step "external": the raw file as the stage reads it, one statement per file format (the adapter runs
-- the one marked with the file's format).

-- format: csv
-- {{raw_uri}} is the inflated text extract kept of the raw file when there is one (the same lines; DuckDB
-- reads plain text on every core and gzip on one), else the raw .csv.gz itself.
-- The file as text lines, header skipped. One VARCHAR column and no quoting, so no value can fail the
-- read and a line with the wrong field count is seen (and quarantined), not padded. The reader ends lines
-- at \n, \r\n or \r, and reads an empty line as NULL: those are not rows (extract does not count them either).
-- The lines are read into a temporary table, once: the repeated lines are found on it (statement
-- `copies` of the stage) and the stage then reads the lines from memory instead of inflating the file
-- again, so finding duplicates costs about a scan of memory, not a second read of the file. Its rowid
-- numbers the lines. A file whose lines would take more than half of DuckDB's memory limit is streamed
-- by a view instead (the adapter decides), and its duplicates are all found after the write.
CREATE OR REPLACE TEMP {{external_kind}} {{external_table}} AS
SELECT line
FROM read_csv(
  {{raw_uri}},
  columns = {'line': 'VARCHAR'},
  header = false,
  skip = 1,
  delim = chr(31),
  quote = '',
  escape = '',
  auto_detect = false,
  strict_mode = false
)
WHERE line IS NOT NULL;

-- format: parquet
-- The file as it is: every column with the physical type this month's file has (never one schema
-- declared for all months); the stage casts each by what the footer said. file_row_number numbers the rows.
CREATE OR REPLACE TEMP VIEW {{external_table}} AS
SELECT *
FROM read_parquet({{raw_uri}}, file_row_number = true);
