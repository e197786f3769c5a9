-- Step "quarantine": the file's quarantined lines replace its earlier ones (twin of
-- sql/duckdb/04_quarantine.sql), as one MERGE so the swap is atomic without a transaction. The month's
-- rows from a file of the other format (`.csv.gz` / `.parquet`) go too: a month has one source at a time.
MERGE INTO {{quarantine_table}} AS t
USING (
  SELECT filename, reason, detail, raw_line, CURRENT_TIMESTAMP() AS quarantined_at
  FROM {{staging_table}}
  WHERE reason IS NOT NULL
) AS s
ON FALSE
WHEN NOT MATCHED BY TARGET THEN INSERT ROW
WHEN NOT MATCHED BY SOURCE AND STARTS_WITH(t.filename, @file_stem) THEN DELETE;
