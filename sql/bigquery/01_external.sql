-- Step "external": the raw gs:// object as the stage reads it (twin of sql/duckdb/01_external.sql), one
-- statement per file format (the adapter runs the one marked with the file's format).

-- format: csv
-- The object as text lines, header skipped. One STRING column, a delimiter byte that never occurs in the
-- data (0x1F, unit separator) and no quoting, so no value can fail the read and a line with the wrong
-- field count is seen (and quarantined) by the stage step, never padded or dropped by the CSV reader.
-- ISO-8859-1 maps every byte to a character, so no line can fail as invalid UTF-8 either (the TLC files
-- are ASCII).
CREATE OR REPLACE EXTERNAL TABLE {{external_table}} (
  line STRING
)
OPTIONS (
  format = 'CSV',
  uris = [{{raw_uri}}],
  compression = 'GZIP',
  skip_leading_rows = 1,
  field_delimiter = '\x1f',
  quote = '',
  encoding = 'ISO-8859-1',
  allow_quoted_newlines = false,
  allow_jagged_rows = false,
  max_bad_records = 0
);

-- format: parquet
-- The object with the schema its own footer declares: never one schema for all months, which is what
-- fails on eras whose physical types differ ("Parquet column 'airport_fee' has type INT32 which does not
-- match the target cpp_type DOUBLE"). The stage casts each column by the type extract recorded.
CREATE OR REPLACE EXTERNAL TABLE {{external_table}}
OPTIONS (
  format = 'PARQUET',
  uris = [{{raw_uri}}]
);
