-- Step "ledger": the run ledger, one row per step attempt, appended by the step functions (twin of
-- sql/duckdb/05_ledger.sql). Append-only: nothing here updates or deletes a row. Partitioned by day, so a
-- question about last night reads last night.

-- name: create
CREATE TABLE IF NOT EXISTS {{ledger_table}} (
{{ledger_definitions}}
)
PARTITION BY DATE(started_at);

-- name: append
INSERT INTO {{ledger_table}} ({{ledger_names}})
VALUES ({{ledger_values}});

-- name: read
-- Instants come back as ISO text, in the order the attempts ended.
SELECT {{ledger_read}}
FROM {{ledger_table}}
WHERE (@taxi IS NULL OR taxi = @taxi)
  AND (@from_month IS NULL OR month >= @from_month)
  AND (@to_month IS NULL OR month <= @to_month)
ORDER BY ended_at, started_at;
