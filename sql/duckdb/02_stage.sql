-- Step "stage": every row typed with safe casts and given exactly one fate. reason IS NULL means the row
-- goes to the main table; otherwise the first reason that applies, in this order:
-- malformed (field count) > invalid_value (a value that does not convert losslessly) > outside_month > duplicate.
-- The parsed rows read the file by its format: a CSV line split into text fields, or a Parquet row's
-- columns as the file types them; absent columns (an older era) are NULL.
-- The staged rows are written once, to a Parquet file that merge later renames into the month's
-- partition: writing Parquet costs DuckDB about a third of writing the same rows into its own table file.
-- The file's key-value metadata names the raw file it was staged from (its sha256), so merge can tell
-- a staging of an older version of the month from one of the file now in the lake.
-- unique_row_id is not written here (its column stays NULL): turning every value into text for md5 was
-- most of a Parquet month's stage, so the views compute it when it is read. The file keeps row_hash,
-- DuckDB's native 64-bit hash of the typed values, which finds duplicate candidates and reload changes.

-- name: write
COPY (
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
    {{row_hash}} AS row_hash
  FROM typed
),
classified AS (
  SELECT
    *,
    CASE
      WHEN field_count <> {{field_count}} THEN 'malformed'
      WHEN invalid_column IS NOT NULL THEN 'invalid_value'
      WHEN {{pickup}} IS NULL OR {{pickup}} < CAST($month_start AS TIMESTAMP) OR {{pickup}} >= CAST($month_end AS TIMESTAMP) THEN 'outside_month'
      -- duplicate: found by the next statements
    END AS reason
  FROM checked
)
SELECT
{{typed_names}},
  CAST(NULL AS VARCHAR) AS unique_row_id,
  $filename AS filename,
  reason,
  CASE
    WHEN reason IS NULL THEN NULL
    WHEN reason = 'malformed' THEN 'expected {{field_count}} fields, found ' || field_count
    WHEN reason = 'invalid_value' THEN invalid_column
    ELSE 'pickup ' || coalesce(CAST({{pickup}} AS VARCHAR), 'empty') || ' is not in ' || $month
  END AS detail,
  -- The text is kept for quarantined rows only: a loaded row is its typed columns.
  CASE WHEN reason IS NOT NULL THEN {{source_text}} END AS raw_line,
  CAST($staged_at AS TIMESTAMP) AS staged_at,
  row_hash
FROM classified
) TO {{staging_write}} (FORMAT parquet, KV_METADATA {raw_sha256: {{raw_sha256}}});

-- name: duplicates
-- duplicate: a row that passed every other check and repeats an earlier one of the file (the same
-- unique_row_id). Found by a separate pass: a window over whole rows in the statement above would hold
-- every row of the month in memory at once. Rows sharing a row_hash are the candidates; their md5 ids,
-- computed for those few rows only, decide.
WITH candidates AS (
  SELECT row_hash FROM read_parquet({{staging_write}}) WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1
)
SELECT count(*) AS duplicates
FROM (
  SELECT {{row_id}} AS id
  FROM read_parquet({{staging_write}})
  WHERE reason IS NULL AND row_hash IN (SELECT row_hash FROM candidates)
  GROUP BY ALL HAVING count(*) > 1
);

-- name: rewrite
-- Only when the count above is not zero (rare): the file again, with every copy after the first marked
-- as a duplicate. Rows with the same id have the same values, so which copy stays does not matter. The
-- repeated rows' text is read back from the raw file, since the first statement did not keep it: only
-- the lines whose pickup is one of the repeated rows' are typed and hashed again (a cheap cast of one
-- field picks them), so this pass costs about a read of the file, not a second stage.
COPY (
WITH candidates AS (
  SELECT row_hash FROM read_parquet({{staging_write}}) WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1
),
ids AS (
  SELECT file_row_number, {{pickup}} AS pickup, {{row_id}} AS id
  FROM read_parquet({{staging_write}}, file_row_number = true)
  WHERE reason IS NULL AND row_hash IN (SELECT row_hash FROM candidates)
),
repeated AS (
  SELECT id FROM ids GROUP BY ALL HAVING count(*) > 1
),
copies AS (
  SELECT file_row_number, pickup, id, row_number() OVER (PARTITION BY id ORDER BY file_row_number) AS copy
  FROM ids
  WHERE id IN (SELECT id FROM repeated)
),
texts AS (
  SELECT id, any_value(text) AS line
  FROM (
    SELECT {{source_text}} AS text, field_count, {{row_id}} AS id
    FROM (
      SELECT
        *,
{{typed_columns}}
      FROM (
        {{parsed_rows}}
      )
      WHERE {{raw_pickup}} IN (SELECT pickup FROM copies)
    )
  )
  WHERE field_count = {{field_count}} AND id IN (SELECT id FROM repeated)
  GROUP BY id
)
SELECT s.* EXCLUDE (file_row_number) REPLACE (
  CASE WHEN c.copy > 1 THEN 'duplicate' ELSE s.reason END AS reason,
  CASE WHEN c.copy > 1 THEN 'repeats an earlier line' ELSE s.detail END AS detail,
  CASE WHEN c.copy > 1 THEN t.line ELSE s.raw_line END AS raw_line
)
FROM read_parquet({{staging_write}}, file_row_number = true) AS s
LEFT JOIN copies AS c USING (file_row_number)
LEFT JOIN texts AS t ON t.id = c.id
) TO {{staging_rewrite}} (FORMAT parquet, KV_METADATA {raw_sha256: {{raw_sha256}}});

-- name: view
-- The staging table: the staged file, as the adapter renamed it into place, with each row's id.
CREATE OR REPLACE VIEW {{staging_table}} AS
SELECT * EXCLUDE (row_hash) REPLACE ({{row_id}} AS unique_row_id)
FROM read_parquet({{staging_file}});
