-- Step "external": the raw file as text lines, header skipped. One VARCHAR column and no quoting, so
-- no value can fail the read and a line with the wrong field count is seen (and quarantined), not padded.
CREATE OR REPLACE TEMP VIEW {{external_table}} AS
SELECT rtrim(line, chr(13)) AS line
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
WHERE line IS NOT NULL AND rtrim(line, chr(13)) <> '';
