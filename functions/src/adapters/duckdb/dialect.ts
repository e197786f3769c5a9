/**
 * DuckDB fragments for the twin templates: physical types, safe casts and identifier quoting.
 * Capabilities as data, in the manner of dlt's per-destination folders.
 */
import type { Column, ColumnKind, Dataset } from '../../domain/datasets.js';
import type { FileFormat } from '../../domain/file-formats.js';
import type { ColumnBinding, ValueType } from '../../domain/schema-contract.js';
import type { FileSchema } from '../shared/file-schema.js';

/**
 * Physical type per logical kind. DECIMAL(18,9) has BigQuery NUMERIC's scale, so both stores hold the
 * same values to the ninth decimal; its integer part stops at 999,999,999, far above any fare or
 * distance, and a value beyond it is quarantined as invalid_value rather than rounded. (DECIMAL(38,9)
 * would match NUMERIC's range too, but parsing text into it is some 40 times slower in DuckDB.)
 */
export const DUCKDB_TYPES: Record<ColumnKind, string> = {
  integer: 'BIGINT',
  numeric: 'DECIMAL(18,9)',
  timestamp: 'TIMESTAMP',
  string: 'VARCHAR',
};

/** Quote an identifier; names come from the dataset definitions and the file's checked schema only. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const rawName = (c: Column) => ident(`raw_${c.name}`);

/**
 * Safe cast of a column's raw value from what the file holds; NULL when it does not convert losslessly.
 * Integers written with a decimal point (text `1.0`, DOUBLE 1.0) load, and are rejected (not rounded)
 * when they have a fraction: DuckDB's own casts to BIGINT round `1.5` to 2.
 */
export function safeCast(c: Column, from: ValueType): string {
  const raw = rawName(c);
  const type = DUCKDB_TYPES[c.kind];
  if (from === 'null') return `CAST(NULL AS ${type})`;
  if (from === 'text') {
    switch (c.kind) {
      case 'integer': {
        const dec = `TRY_CAST(${raw} AS DECIMAL(18,9))`;
        return `CASE WHEN strpos(${raw}, '.') = 0 THEN TRY_CAST(${raw} AS BIGINT) WHEN ${dec} = trunc(${dec}) THEN TRY_CAST(${dec} AS BIGINT) END`;
      }
      case 'numeric':
        return `TRY_CAST(${raw} AS DECIMAL(18,9))`;
      case 'timestamp':
        return `try_strptime(${raw}, '%Y-%m-%d %H:%M:%S')`;
      case 'string':
        return raw;
    }
  }
  if (c.kind === 'integer' && from === 'float') return `CASE WHEN ${raw} = trunc(${raw}) THEN TRY_CAST(${raw} AS BIGINT) END`;
  return `TRY_CAST(${raw} AS ${type})`;
}

/**
 * The column's value as canonical text, the same in both dialects: what `unique_row_id` hashes. An
 * evolved column (`optional`) joins the text only when it holds a value (`concat_ws` skips NULL), so
 * adding a column to a dataset leaves the ids of the rows that lack it as they were.
 */
function canonicalText(c: Column, optional = false): string {
  const name = ident(c.name);
  const text = (() => {
    switch (c.kind) {
      case 'timestamp':
        return `strftime(${name}, '%Y-%m-%d %H:%M:%S.%f')`;
      case 'string':
        return name;
      default:
        // BIGINT as digits; DECIMAL(18,9) with its nine decimals, as BigQuery's FORMAT('%.9f') writes NUMERIC.
        return `CAST(${name} AS VARCHAR)`;
    }
  })();
  return optional ? text : `coalesce(${text}, '')`;
}

/**
 * `unique_row_id` of a row with these typed columns: hex md5 of its canonical text. The embedded
 * warehouse computes it when it is read (the main and staging views), not when a month is staged:
 * turning every value into text is most of a Parquet month's stage time.
 */
export function rowIdSql(canonical: readonly Column[], evolved: readonly Column[] = []): string {
  return `md5(concat_ws(',', ${[...canonical.map((c) => canonicalText(c)), ...evolved.map((c) => canonicalText(c, true))].join(', ')}))`;
}

/**
 * A 64-bit hash of the row's typed values (DuckDB's native `hash`), equal for rows whose canonical
 * texts are equal (a NULL text is '' there, so it is here), computed as the month is staged: it finds
 * the candidate duplicates (confirmed by their md5 id) and what a reload changed, without the text.
 */
export function rowHashSql(columns: readonly Column[], present: (c: Column) => boolean = () => true): string {
  return `hash(${columns
    .map((c) => (!present(c) ? `CAST(NULL AS ${DUCKDB_TYPES[c.kind]})` : c.kind === 'string' ? `coalesce(${ident(c.name)}, '')` : ident(c.name)))
    .join(', ')})`;
}

/** The raw value of each column, read from one line's fields (CSV) or one row's columns (Parquet). */
const RAW_VALUE: Record<FileFormat, (b: ColumnBinding) => string> = {
  csv: (b) => (b.position === null ? 'CAST(NULL AS VARCHAR)' : `NULLIF(f[${b.position}], '')`),
  parquet: (b) => (b.source === null || b.source.type === 'null' ? 'NULL' : ident(b.source.name)),
};

/**
 * The rows the stage reads: `line`, `field_count`, `source_row` (the row's number in the file, which
 * `copies` names) and one `raw_<column>` per table column.
 */
const PARSED_ROWS: Record<FileFormat, (raw: string, external: string, fieldCount: number, numbered: boolean) => string> = {
  // Lines streamed from the file (a view) have no number: nothing is paired before the write then.
  csv: (raw, external, _fieldCount, numbered) =>
    `SELECT line, len(f) AS field_count, source_row,\n${raw}\n  FROM (SELECT line, string_split(line, ',') AS f, ${numbered ? 'rowid' : 'CAST(NULL AS BIGINT)'} AS source_row FROM ${external})`,
  parquet: (raw, external, fieldCount) => `SELECT CAST(NULL AS VARCHAR) AS line, ${fieldCount} AS field_count, file_row_number AS source_row,\n${raw}\n  FROM ${external}`,
};

/** A quarantined row's text: the line itself (CSV) or its values as a JSON object (Parquet). */
const SOURCE_TEXT: Record<FileFormat, (bindings: readonly ColumnBinding[]) => string> = {
  csv: () => 'line',
  parquet: (bindings) =>
    `CAST(json_object(${bindings
      .filter((b) => b.source)
      .map((b) => `${literal(b.source!.name)}, ${rawName(b.column)}`)
      .join(', ')}) AS VARCHAR)`,
};

/**
 * Slot values shared by every template of a dataset, for one file. `numbered`: the rows carry their
 * number in the file (a Parquet file's always; a CSV's when its lines are read into a temporary table,
 * see 01_external, rather than streamed from the file by a view).
 */
export function datasetSlots(ds: Dataset, file: FileSchema, externalTable: string, numbered = true) {
  const columns = file.bindings.map((b) => b.column);
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`).join(',\n');
  const typeOf = (b: ColumnBinding): ValueType => b.source?.type ?? 'null';
  return {
    // The typed columns of a table with no row yet (the views before a month lands).
    empty_columns: ds.columns.map((c) => `  CAST(NULL AS ${DUCKDB_TYPES[c.kind]}) AS ${ident(c.name)}`).join(',\n'),
    column_names: ds.columns.map((c) => ident(c.name)).join(', '),
    field_count: String(file.fieldCount),
    pickup: ident(ds.pickupColumn),
    parsed_rows: PARSED_ROWS[file.format](indent(file.bindings.map((b) => `${RAW_VALUE[file.format](b)} AS ${rawName(b.column)}`)), externalTable, file.fieldCount, numbered),
    external_kind: numbered ? 'TABLE' : 'VIEW',
    typed_columns: indent(file.bindings.map((b) => `${safeCast(b.column, typeOf(b))} AS ${ident(b.column.name)}`)),
    typed_names: columns.map((c) => `  ${ident(c.name)}`).join(',\n'),
    first_invalid_column: `CASE ${file.bindings
      .filter((b) => b.column.kind !== 'string' && typeOf(b) !== 'null')
      .map((b) => `WHEN ${rawName(b.column)} IS NOT NULL AND ${ident(b.column.name)} IS NULL THEN ${literal(`${b.column.name}: `)} || CAST(${rawName(b.column)} AS VARCHAR)`)
      .join(' ')} END`,
    // The row's values in canonical column order and form, so the same trip gets the same id from a CSV
    // and a Parquet file, in any column order, in DuckDB and in BigQuery.
    row_id: rowIdSql(ds.columns, file.evolved),
    row_hash: rowHashSql(columns),
    source_text: SOURCE_TEXT[file.format](file.bindings),
    // A Parquet row's raw values as one 64-bit hash: rows repeating an earlier one share it.
    source_hash: `hash(${file.bindings
      .filter((b) => b.source && b.source.type !== 'null')
      .map((b) => ident(b.source!.name))
      .join(', ')})`,
    // The pickup cast from its raw value alone: picks candidate lines without typing the others.
    raw_pickup: (() => {
      const b = file.bindings.find((x) => x.column.name === ds.pickupColumn)!;
      return safeCast(b.column, typeOf(b));
    })(),
  };
}
