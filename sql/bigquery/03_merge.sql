-- Step "merge": make the month in the main table equal to the staged rows (twin of
-- sql/duckdb/03_merge.sql). The statements of this template and of 04_quarantine.sql go to BigQuery as ONE
-- script job and ONE multi-statement transaction, committed at the end of 04_quarantine.sql: the month's
-- main and quarantine rows change together, so a reader never sees one version's rows with another's
-- quarantine, and a failure anywhere rolls everything back (BigQuery rolls back a script that ends in an
-- error). Transactions allow DML only: the tables exist already (00_tables.sql, run by stage).

-- name: begin
BEGIN TRANSACTION;

-- name: fence_claim
-- The fence, first: the month's row in the fence table takes this execution's lease token, unless a
-- newer token committed the month already. Every merge of any month writes the fence table, so two
-- overlapping transactions on one month conflict and BigQuery aborts one (the adapter retries it, and
-- the retry sees the winner's token). Tokens are the GCS lease's generations: they only grow.
UPDATE {{fence_table}}
SET token = @fence_token, holder = @fence_holder, committed_at = CURRENT_TIMESTAMP()
WHERE taxi = @taxi AND month = @month AND token <= @fence_token;

-- name: fence_insert
-- The month's first merge: its row.
INSERT INTO {{fence_table}} (taxi, month, token, holder, committed_at)
SELECT @taxi, @month, @fence_token, @fence_holder, CURRENT_TIMESTAMP()
FROM UNNEST([1])
WHERE NOT EXISTS (SELECT 1 FROM {{fence_table}} WHERE taxi = @taxi AND month = @month);

-- name: fence_check
-- Still ours? Otherwise ERROR ends the script and the transaction is rolled back: nothing is committed.
-- The adapter recognises "lease lost:" and reports it as a lost lease.
SELECT IF(
  COUNTIF(token = @fence_token AND holder = @fence_holder) = 1,
  'lease held',
  ERROR(FORMAT(
    "lease lost: %s %s was committed by execution %s with lease token %d, newer than this execution's %d; nothing was committed",
    @taxi, @month, IFNULL(ANY_VALUE(holder), '?'), IFNULL(MAX(token), -1), @fence_token))
) AS fence
FROM {{fence_table}}
WHERE taxi = @taxi AND month = @month;

-- name: merge
-- Rows are matched by unique_row_id within the month: a staged row already there
-- is left alone (its file name updated when the month moved between sources), a new one is inserted, one
-- no longer staged is deleted, so this statement's DML statistics (its child job's) are the rows added
-- and removed, as DuckDB's counts are. The month bounds sit in the ON and WHEN clauses, which is what lets BigQuery prune to the
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
