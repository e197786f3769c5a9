-- Step "ledger": the run ledger, one row per step attempt, appended by the step functions (twin of
-- sql/bigquery/05_ledger.sql). Append-only: nothing here updates or deletes a row.

-- name: create
CREATE TABLE IF NOT EXISTS {{ledger_table}} (
{{ledger_definitions}}
);

-- name: append
INSERT INTO {{ledger_table}} ({{ledger_names}})
VALUES ({{ledger_values}});

-- name: read
-- Instants come back as ISO text, in the order the attempts ended.
SELECT {{ledger_read}}
FROM {{ledger_table}}
WHERE (CAST($taxi AS VARCHAR) IS NULL OR taxi = CAST($taxi AS VARCHAR))
  AND (CAST($from_month AS VARCHAR) IS NULL OR month >= CAST($from_month AS VARCHAR))
  AND (CAST($to_month AS VARCHAR) IS NULL OR month <= CAST($to_month AS VARCHAR))
ORDER BY ended_at, started_at;
