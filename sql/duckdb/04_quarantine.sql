-- Step "quarantine": the file's quarantined lines replace its earlier ones.
DELETE FROM {{quarantine_table}} WHERE filename = $filename;

INSERT INTO {{quarantine_table}} (filename, reason, detail, raw_line, quarantined_at)
SELECT filename, reason, detail, raw_line, CAST(now() AS TIMESTAMP)
FROM {{staging_table}}
WHERE reason IS NOT NULL;
