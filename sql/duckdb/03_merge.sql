-- Step "merge": make the month in the main table equal to the staged rows, bounded to the month so no
-- other month is touched. Rows already present (same unique_row_id) are left alone, so a rerun changes
-- nothing. Runs inside one transaction with the quarantine replacement.
MERGE INTO {{main_table}} AS t
USING (
  SELECT {{column_names}}, unique_row_id, filename
  FROM {{staging_table}}
  WHERE reason IS NULL
) AS s
ON t.unique_row_id = s.unique_row_id AND t.{{pickup}} >= CAST($month_start AS TIMESTAMP) AND t.{{pickup}} < CAST($month_end AS TIMESTAMP)
WHEN NOT MATCHED THEN INSERT BY NAME
WHEN NOT MATCHED BY SOURCE AND t.{{pickup}} >= CAST($month_start AS TIMESTAMP) AND t.{{pickup}} < CAST($month_end AS TIMESTAMP) THEN DELETE;
