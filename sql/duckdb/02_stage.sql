-- Step "stage": every row typed with safe casts and given exactly one fate. reason IS NULL means the row
-- goes to the main table; otherwise the first reason that applies, in this order:
-- malformed (field count) > invalid_value (a value that does not convert losslessly) > outside_month > duplicate.
-- A copy (a row repeating an earlier one) has the fate of the row it repeats, and is a duplicate where that
-- row loads.
-- The parsed rows read the file by its format: a CSV line split into text fields, or a Parquet row's
-- columns as the file types them; absent columns (an older era) are NULL.
-- The staged rows are written once, to a Parquet file that merge later renames into the month's
-- partition: writing Parquet costs DuckDB about a third of writing the same rows into its own table file.
-- LZ4 (raw) compresses these rows as well as snappy, DuckDB's default, and writes them 10-15% faster
-- (3M yellow rows: 0.87 s against 1.0 s, 75 MB against 74 MB).
-- The file's key-value metadata names the raw file it was staged from (its sha256), so merge can tell
-- a staging of an older version of the month from one of the file now in the lake.
-- unique_row_id is not written here (its column stays NULL): turning every value into text for md5 was
-- most of a Parquet month's stage, so the views compute it when it is read. The file keeps row_hash,
-- DuckDB's native 64-bit hash of the typed values, which finds duplicate candidates and reload changes,
-- and pair_id, the md5 id of the rows `copies` paired only (a few hundred in a month; NULL for the
-- others), so that `checks` matches each copy with the row it repeats without reading every column of
-- the file again. Both are the file's own columns, which no view shows.
-- Duplicates are found before the rows are written (statement `copies`), so the one write gives every
-- copy its fate and keeps its text: a second read of the raw file and a rewrite of the staged one were
-- most of what a month with duplicates cost. Rows are paired by their raw text or values (typing them
-- twice would cost most of a second stage); the few that repeat typed values in different raw form
-- (`1.0` and `1.00`) are found after the write (`checks`, then `rewrite`).

-- name: copies
-- format: csv
-- The rows paired before the write, by their number (the lines table's rowid): every line whose text
-- another line repeats byte for byte, `copy` true where it repeats an earlier line, false for the first.
-- Rows with the same text have the same values, so the same fate. Candidates share a 64-bit hash of the
-- line with their neighbour in hash order, the text itself decides. Sorting the hashes finds the repeats
-- in about half the time that grouping them by hash takes in DuckDB (a hash table of a million mostly
-- unique keys).
CREATE OR REPLACE TEMP TABLE {{copies_table}} AS
WITH hashed AS (
  SELECT rowid AS source_row, hash(line) AS h FROM {{external_table}}
),
candidates AS (
  SELECT source_row
  FROM (SELECT source_row, h, lag(h) OVER by_hash AS before, lead(h) OVER by_hash AS after FROM hashed WINDOW by_hash AS (ORDER BY h))
  WHERE before = h OR after = h
)
SELECT source_row, copy > 1 AS copy
FROM (
  SELECT rowid AS source_row, row_number() OVER (PARTITION BY line ORDER BY rowid) AS copy, count(*) OVER (PARTITION BY line) AS lines
  FROM {{external_table}}
  WHERE rowid IN (SELECT source_row FROM candidates)
)
WHERE lines > 1;

-- name: copies
-- format: parquet
-- The rows paired before the write, by file_row_number: every row a 64-bit hash of its raw values pairs
-- with another (reading the columns once, not keeping them), `copy` true where its predecessor in (hash,
-- row number) order has its hash (it repeats an earlier row), false for the first of its hash. Sorting 3M
-- hashes took 0.33 s against 0.42 s for grouping them by hash and numbering each group's rows. Pairing
-- rows by their typed values instead, which would leave nothing for the pass after the write, measured
-- 1.2 s against 0.4 s for 3M rows: the casts, not the write, are what typing costs. Two different rows
-- sharing a hash are told apart by `checks` after the write.
CREATE OR REPLACE TEMP TABLE {{copies_table}} AS
SELECT source_row, before IS NOT DISTINCT FROM h AS copy
FROM (
  SELECT source_row, h, lag(h) OVER by_hash AS before, lead(h) OVER by_hash AS after
  FROM (SELECT file_row_number AS source_row, {{source_hash}} AS h FROM {{external_table}})
  WINDOW by_hash AS (ORDER BY h, source_row)
)
WHERE before = h OR after = h;

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
    checked.*,
    paired.copy,
    CASE
      WHEN field_count <> {{field_count}} THEN 'malformed'
      WHEN invalid_column IS NOT NULL THEN 'invalid_value'
      WHEN {{pickup}} IS NULL OR {{pickup}} < CAST($month_start AS TIMESTAMP) OR {{pickup}} >= CAST($month_end AS TIMESTAMP) THEN 'outside_month'
      WHEN paired.copy THEN 'duplicate'
    END AS reason
  FROM checked
  LEFT JOIN {{copies_table}} AS paired USING (source_row)
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
    WHEN reason = 'duplicate' THEN 'repeats an earlier line'
    ELSE 'pickup ' || coalesce(CAST({{pickup}} AS VARCHAR), 'empty') || ' is not in ' || $month
  END AS detail,
  -- The text is kept for quarantined rows only: a loaded row is its typed columns.
  CASE WHEN reason IS NOT NULL THEN {{source_text}} END AS raw_line,
  CAST($staged_at AS TIMESTAMP) AS staged_at,
  row_hash,
  -- The id of the rows `copies` paired (see the header), which `checks` matches them by.
  CASE WHEN copy IS NOT NULL THEN {{row_id}} END AS pair_id
FROM classified
) TO {{staging_write}} (FORMAT parquet, COMPRESSION lz4_raw, KV_METADATA {raw_sha256: {{raw_sha256}}});

-- name: checks
-- What the write left to find, from the file's row_hash, reason and pair_id columns (the rows'
-- values are read again only for loaded rows that share a row_hash, which a realistic month has none of):
-- - unmatched: copies marked duplicate whose id (written for the paired rows) no loaded row has. Only a
--   64-bit hash collision between two different rows makes one (rows paired by hash); the adapter then
--   writes again with no copies marked and checks again.
-- - duplicates: loaded rows with the same unique_row_id whose raw values differ (`1.0` and `1.00` in a
--   CSV, doubles equal to the ninth decimal in a Parquet file), which `copies` did not pair. Candidates
--   share a row_hash with their neighbour in hash order: sorting the month's hashes took half the time
--   of grouping them (3M rows: 0.12 s against 0.23 s); their md5 ids, computed for those rows only, decide.
WITH repeated AS MATERIALIZED (
  SELECT row_hash
  FROM (SELECT row_hash, lag(row_hash) OVER (ORDER BY row_hash) AS before FROM read_parquet({{staging_write}}) WHERE reason IS NULL)
  WHERE before = row_hash
),
ids AS MATERIALIZED (
  SELECT {{row_id}} AS id
  FROM read_parquet({{staging_write}})
  WHERE reason IS NULL AND row_hash IN (SELECT row_hash FROM repeated)
)
SELECT
  (
    SELECT count(*)
    FROM read_parquet({{staging_write}})
    WHERE reason = 'duplicate'
      AND pair_id NOT IN (SELECT pair_id FROM read_parquet({{staging_write}}) WHERE reason IS NULL AND pair_id IS NOT NULL)
  ) AS unmatched,
  (SELECT count(*) FROM (SELECT id FROM ids GROUP BY ALL HAVING count(*) > 1)) AS duplicates;

-- name: rewrite
-- Only when `duplicates` above is not zero (rarer still): the file again, with every copy after the first
-- marked as a duplicate. Rows with the same id have the same values, so which copy stays does not matter. The
-- repeated rows' text is read back from the raw file, since the first statement did not keep it: only
-- the lines whose pickup is one of the repeated rows' are typed and hashed again (a cheap cast of one
-- field picks them), so this pass costs about a read of the file, not a second stage. The staged rows
-- carry no line number, so a copy whose twins are spelt differently gets the first of their texts
-- (min: the same one on every run), not necessarily its own.
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
  SELECT id, min(text) AS line
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
) TO {{staging_rewrite}} (FORMAT parquet, COMPRESSION lz4_raw, KV_METADATA {raw_sha256: {{raw_sha256}}});

-- name: view
-- The staging table: the staged file, as the adapter renamed it into place, with each row's id.
CREATE OR REPLACE VIEW {{staging_table}} AS
SELECT * EXCLUDE (row_hash, pair_id) REPLACE ({{row_id}} AS unique_row_id)
FROM read_parquet({{staging_file}});
