-- Step "merge": make the month in the main table equal to the staged rows. Both statements are bounded
-- to the month's pickup range (DuckDB skips other months' row groups by their min/max), and rows already
-- present (same unique_row_id) are left alone, so a rerun changes nothing. The adapter runs them in one
-- transaction with the quarantine replacement. (BigQuery's twin is one MERGE; in DuckDB a MERGE whose ON
-- holds the month bounds becomes a nested-loop join, so the two halves are written out.)
DELETE FROM {{main_table}} AS t
WHERE t.{{pickup}} >= CAST($month_start AS TIMESTAMP)
  AND t.{{pickup}} < CAST($month_end AS TIMESTAMP)
  AND t.unique_row_id NOT IN (SELECT unique_row_id FROM {{staging_table}} WHERE reason IS NULL);

INSERT INTO {{main_table}} BY NAME
SELECT {{column_names}}, unique_row_id, filename
FROM {{staging_table}}
WHERE reason IS NULL
  AND unique_row_id NOT IN (
    SELECT unique_row_id FROM {{main_table}}
    WHERE {{pickup}} >= CAST($month_start AS TIMESTAMP) AND {{pickup}} < CAST($month_end AS TIMESTAMP)
  );
