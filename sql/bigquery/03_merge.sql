-- Step "merge": make the month in the main table equal to the staged rows, in ONE atomic MERGE (twin of
-- sql/duckdb/03_merge.sql). ON FALSE: every staged row is inserted and every row of the month is deleted.
-- The month bounds sit in the WHEN clauses, which is what lets BigQuery prune to the month's partitions
-- (a bound only in ON, or an unbounded NOT MATCHED BY SOURCE, would scan the whole table) and what
-- guarantees no other month is touched. The INSERT names its columns: the table may hold columns this
-- month's file does not (a later era's, or an evolved one), which stay NULL for its rows.
MERGE INTO {{main_table}} AS t
USING (
  SELECT {{column_names}}, unique_row_id, filename
  FROM {{staging_table}}
  WHERE reason IS NULL
) AS s
ON FALSE
WHEN NOT MATCHED BY TARGET AND s.{{pickup}} >= @month_start AND s.{{pickup}} < @month_end THEN
  INSERT ({{column_names}}, unique_row_id, filename) VALUES ({{source_column_names}}, s.unique_row_id, s.filename)
WHEN NOT MATCHED BY SOURCE AND t.{{pickup}} >= @month_start AND t.{{pickup}} < @month_end THEN DELETE;
