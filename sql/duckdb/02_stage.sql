-- Step "stage": every line typed with safe casts and given exactly one fate. reason IS NULL means the row
-- goes to the main table; otherwise the first reason that applies, in this order:
-- malformed (field count) > invalid_value (non-empty text that does not parse) > outside_month > duplicate.
CREATE OR REPLACE TABLE {{staging_table}} AS
WITH fields AS (
  SELECT line, string_split(line, ',') AS f
  FROM {{external_table}}
),
parsed AS (
  SELECT
    line,
    len(f) AS field_count,
{{raw_columns}}
  FROM fields
),
typed AS (
  SELECT
    *,
{{typed_columns}}
  FROM parsed
),
checked AS (
  SELECT
    *,
    {{first_invalid_column}} AS invalid_column,
    md5({{canonical_text}}) AS unique_row_id
  FROM typed
),
classified AS (
  SELECT
    *,
    CASE
      WHEN field_count <> {{column_count}} THEN 'malformed'
      WHEN invalid_column IS NOT NULL THEN 'invalid_value'
      WHEN {{pickup}} IS NULL OR {{pickup}} < CAST($month_start AS TIMESTAMP) OR {{pickup}} >= CAST($month_end AS TIMESTAMP) THEN 'outside_month'
      -- duplicate: marked by the next statement
    END AS reason
  FROM checked
)
SELECT
{{typed_names}},
  unique_row_id,
  $filename AS filename,
  reason,
  CASE
    WHEN reason IS NULL THEN NULL
    WHEN reason = 'malformed' THEN 'expected {{column_count}} fields, found ' || field_count
    WHEN reason = 'invalid_value' THEN invalid_column
    ELSE 'pickup ' || coalesce(CAST({{pickup}} AS VARCHAR), 'empty') || ' is not in ' || $month
  END AS detail,
  -- The text is kept for quarantined rows only: a loaded row is its typed columns, and writing every
  -- line's text into staging as well made the stage step half again as slow.
  CASE WHEN reason IS NOT NULL THEN line END AS raw_line
FROM classified;

-- duplicate: a row that passed every other check and repeats an earlier one of the file. A separate
-- pass over (rowid, unique_row_id) only: a window over the whole rows in the statement above would hold
-- every row of the month in memory at once. Rows with the same id have the same text, so keeping the
-- lowest rowid keeps the first copy.
UPDATE {{staging_table}}
SET reason = 'duplicate', detail = 'repeats an earlier line'
WHERE rowid IN (
  SELECT rowid FROM (
    SELECT rowid, row_number() OVER (PARTITION BY unique_row_id ORDER BY rowid) AS copy
    FROM {{staging_table}}
    WHERE reason IS NULL
      AND unique_row_id IN (SELECT unique_row_id FROM {{staging_table}} WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1)
  )
  WHERE copy > 1
);

-- A duplicate's raw line: the first statement kept no text for rows that looked loadable, so the few
-- repeated lines are read back from the file. The EXISTS guard sits on the file's side on purpose: with
-- no duplicate it is false before the scan, and DuckDB skips the file (a guard on the outer side still
-- reads it, ~0.5 s per million lines).
UPDATE {{staging_table}} AS s
SET raw_line = src.line
FROM (
  SELECT id, any_value(line) AS line
  FROM (
    SELECT line, len(f) AS field_count, md5({{canonical_text}}) AS id
    FROM (
      SELECT
        line,
        f,
    {{raw_columns}}
      FROM (
        SELECT line, string_split(line, ',') AS f
        FROM {{external_table}}
        WHERE EXISTS (SELECT 1 FROM {{staging_table}} WHERE reason = 'duplicate')
      )
    )
  )
  WHERE id IN (SELECT unique_row_id FROM {{staging_table}} WHERE reason = 'duplicate')
    AND field_count = {{column_count}}
  GROUP BY id
) AS src
WHERE s.reason = 'duplicate' AND s.unique_row_id = src.id;
