-- Step "merge": make the month in the main table equal to the staged rows, in ONE atomic MERGE (twin of
-- sql/duckdb/03_merge.sql). Rows are matched by unique_row_id within the month: a staged row already there
-- is left alone (its file name updated when the month moved between sources), a new one is inserted, one
-- no longer staged is deleted, so the job's DML statistics are the rows added and removed, as DuckDB's
-- counts are. The month bounds sit in the ON and WHEN clauses, which is what lets BigQuery prune to the
-- month's partitions (an unbounded NOT MATCHED BY SOURCE would scan the whole table) and what guarantees
-- no other month is touched. The INSERT names its columns: the table may hold columns this month's file
-- does not (a later era's, or an evolved one), which stay NULL for its rows.
MERGE INTO {{main_table}} AS t
USING (
  SELECT {{column_names}}, unique_row_id, filename
  FROM {{staging_table}}
  WHERE reason IS NULL
) AS s
ON t.unique_row_id = s.unique_row_id AND t.{{pickup}} >= @month_start AND t.{{pickup}} < @month_end
WHEN MATCHED AND t.filename != s.filename THEN
  UPDATE SET filename = s.filename
WHEN NOT MATCHED BY TARGET AND s.{{pickup}} >= @month_start AND s.{{pickup}} < @month_end THEN
  INSERT ({{column_names}}, unique_row_id, filename) VALUES ({{source_column_names}}, s.unique_row_id, s.filename)
WHEN NOT MATCHED BY SOURCE AND t.{{pickup}} >= @month_start AND t.{{pickup}} < @month_end THEN DELETE;
