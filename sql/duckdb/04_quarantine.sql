-- Step "quarantine": the quarantined lines of every loaded file, read from the same partition files as
-- the main table, so a month's quarantine rows are replaced in the same rename as its loaded rows.
CREATE OR REPLACE VIEW {{quarantine_table}} AS
SELECT filename, reason, detail, raw_line, staged_at AS quarantined_at
FROM read_parquet({{partition_glob}}, union_by_name = true)
WHERE reason IS NOT NULL;
