-- Step "stage": every row typed with safe casts and given exactly one fate (twin of sql/duckdb/02_stage.sql).
-- reason IS NULL means the row goes to the main table; otherwise the first reason that applies, in this order:
-- malformed (field count) > invalid_value (a value that does not convert losslessly) > outside_month > duplicate.
-- The parsed rows read the file by its format: a CSV line split into text fields, or a Parquet row's
-- columns as the file types them; absent columns (an older era) are NULL.
-- Staging tables expire a week after their last rebuild: the raw file stays the source of truth. The
-- description names the raw file it was staged from (its sha256), so merge can tell a staging of an
-- older version of the month from one of the file now in the lake.
CREATE OR REPLACE TABLE {{staging_table}}
OPTIONS (
  expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 7 DAY),
  description = {{staging_description}}
)
AS
WITH parsed AS (
  {{parsed_rows}}
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
      WHEN field_count <> {{field_count}} THEN 'malformed'
      WHEN invalid_column IS NOT NULL THEN 'invalid_value'
      WHEN {{pickup}} IS NULL OR {{pickup}} < @month_start OR {{pickup}} >= @month_end THEN 'outside_month'
    END AS first_reason
  FROM checked
),
decided AS (
  SELECT
    *,
    CASE
      WHEN first_reason IS NOT NULL THEN first_reason
      -- rows with the same id have the same values, so which copy is "first" does not change the result,
      -- only rows that passed every other check compete (an invalid row can share a valid row's id)
      WHEN ROW_NUMBER() OVER (PARTITION BY unique_row_id, first_reason IS NULL) > 1 THEN 'duplicate'
    END AS reason
  FROM classified
)
SELECT
{{typed_names}},
  unique_row_id,
  @filename AS filename,
  reason,
  CASE reason
    WHEN 'malformed' THEN CONCAT('expected {{field_count}} fields, found ', CAST(field_count AS STRING))
    WHEN 'invalid_value' THEN invalid_column
    WHEN 'outside_month' THEN CONCAT('pickup ', IFNULL(CAST({{pickup}} AS STRING), 'empty'), ' is not in ', @month)
    WHEN 'duplicate' THEN 'repeats an earlier line'
  END AS detail,
  -- The text is kept for quarantined rows only (twin of the DuckDB step): a loaded row is its typed
  -- columns, and the quarantine step then reads a nearly empty column instead of every line again.
  IF(reason IS NULL, NULL, {{source_text}}) AS raw_line
FROM decided;
