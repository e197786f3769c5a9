-- Step "quarantine": the file's quarantined lines replace its earlier ones (twin of
-- sql/duckdb/04_quarantine.sql), inside the merge's transaction (begun in 03_merge.sql). The month's rows
-- from a file of the other format (`.csv.gz` / `.parquet`) go too: a month has one source at a time.

-- name: quarantine
MERGE INTO {{quarantine_table}} AS t
USING (
  SELECT filename, reason, detail, raw_line, CURRENT_TIMESTAMP() AS quarantined_at
  FROM {{staging_table}}
  WHERE reason IS NOT NULL
) AS s
ON FALSE
WHEN NOT MATCHED BY TARGET THEN INSERT ROW
WHEN NOT MATCHED BY SOURCE AND STARTS_WITH(t.filename, @file_stem) THEN DELETE;

-- name: commit
-- The month's main rows, its quarantine and its fence become visible together.
COMMIT TRANSACTION;
