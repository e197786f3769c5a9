-- Step "external": the raw file as the stage reads it, one statement per file format (the adapter runs
-- the one marked with the file's format).

-- format: csv
-- The file as text lines, header skipped. One VARCHAR column and no quoting, so no value can fail the
-- read and a line with the wrong field count is seen (and quarantined), not padded. The reader ends lines
-- at \n, \r\n or \r, and reads an empty line as NULL: those are not rows (extract does not count them either).
CREATE OR REPLACE TEMP VIEW {{external_table}} AS
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
-- declared for all months); the stage casts each by what the footer said.
CREATE OR REPLACE TEMP VIEW {{external_table}} AS
SELECT *
FROM read_parquet({{raw_uri}});
