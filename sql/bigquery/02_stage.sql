-- Step "stage": every line typed with safe casts and given exactly one fate (twin of sql/duckdb/02_stage.sql).
-- reason IS NULL means the row goes to the main table; otherwise the first reason that applies, in this order:
-- malformed (field count) > invalid_value (non-empty text that does not parse) > outside_month > duplicate.
-- Staging tables expire a week after their last rebuild: the raw file stays the source of truth.
CREATE OR REPLACE TABLE {{staging_table}}
OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 7 DAY))
AS
WITH lines AS (
  SELECT RTRIM(line, '\r') AS line
  FROM {{external_table}}
  WHERE line IS NOT NULL AND RTRIM(line, '\r') <> ''
),
fields AS (
  SELECT line, SPLIT(line, ',') AS f
  FROM lines
),
parsed AS (
  SELECT
    line,
    ARRAY_LENGTH(f) AS field_count,
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
    TO_HEX(MD5({{canonical_text}})) AS unique_row_id
  FROM typed
),
classified AS (
  SELECT
    *,
    CASE
      WHEN field_count <> {{column_count}} THEN 'malformed'
      WHEN invalid_column IS NOT NULL THEN 'invalid_value'
      WHEN {{pickup}} IS NULL OR {{pickup}} < @month_start OR {{pickup}} >= @month_end THEN 'outside_month'
      -- identical lines are interchangeable, so which copy is "first" does not change the result
      WHEN ROW_NUMBER() OVER (PARTITION BY line) > 1 THEN 'duplicate'
    END AS reason
  FROM checked
)
SELECT
{{typed_names}},
  unique_row_id,
  @filename AS filename,
  reason,
  CASE reason
    WHEN 'malformed' THEN CONCAT('expected {{column_count}} fields, found ', CAST(field_count AS STRING))
    WHEN 'invalid_value' THEN invalid_column
    WHEN 'outside_month' THEN CONCAT('pickup ', IFNULL(CAST({{pickup}} AS STRING), 'empty'), ' is not in ', @month)
    WHEN 'duplicate' THEN 'repeats an earlier line'
  END AS detail,
  -- The text is kept for quarantined rows only (twin of the DuckDB step): a loaded row is its typed
  -- columns, and the quarantine step then reads a nearly empty column instead of every line again.
  IF(reason IS NULL, NULL, line) AS raw_line
FROM classified;
