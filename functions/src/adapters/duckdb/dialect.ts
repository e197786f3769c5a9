/**
 * DuckDB fragments for the twin templates: physical types, safe casts and identifier quoting.
 * Capabilities as data, in the manner of dlt's per-destination folders.
 */
import type { Column, ColumnKind, Dataset } from '../../domain/datasets.js';
import { fieldPositions } from '../../domain/header.js';

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

/** Quote an identifier; names come from the dataset definitions only. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const rawName = (c: Column) => ident(`raw_${c.name}`);

/**
 * Safe cast of the column's raw text; NULL when it does not parse. Integers written with a decimal
 * point go through DECIMAL so `1.0` loads, and are rejected (not rounded) when they have a fraction:
 * DuckDB's own text-to-BIGINT cast rounds `1.5` to 2.
 */
export function safeCast(c: Column): string {
  const raw = rawName(c);
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

/** Slot values shared by every template of a dataset, with `fileColumns` the header order of the file. */
export function datasetSlots(ds: Dataset, fileColumns: readonly string[]) {
  const pos = fieldPositions(ds, fileColumns);
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`).join(',\n');
  return {
    column_definitions: ds.columns.map((c) => `  ${ident(c.name)} ${DUCKDB_TYPES[c.kind]}`).join(',\n'),
    // The typed columns of a table with no row yet (the views before a month lands).
    empty_columns: ds.columns.map((c) => `  CAST(NULL AS ${DUCKDB_TYPES[c.kind]}) AS ${ident(c.name)}`).join(',\n'),
    column_names: ds.columns.map((c) => ident(c.name)).join(', '),
    column_count: String(ds.columns.length),
    pickup: ident(ds.pickupColumn),
    raw_columns: indent(ds.columns.map((c) => `NULLIF(f[${pos(c)}], '') AS ${rawName(c)}`)),
    typed_columns: indent(ds.columns.map((c) => `${safeCast(c)} AS ${ident(c.name)}`)),
    typed_names: ds.columns.map((c) => `  ${ident(c.name)}`).join(',\n'),
    first_invalid_column: `CASE ${ds.columns
      .filter((c) => c.kind !== 'string')
      .map((c) => `WHEN ${rawName(c)} IS NOT NULL AND ${ident(c.name)} IS NULL THEN ${literal(`${c.name}: `)} || ${rawName(c)}`)
      .join(' ')} END`,
    // The row's text in canonical column order, so the id does not depend on the order a republished
    // file lists its columns in. For a file in the usual order that text is the line itself, which is
    // cheaper to hash than to rebuild (a malformed line's id is never used).
    canonical_text: fileColumns.every((name, i) => name === ds.columns[i]?.name) && fileColumns.length === ds.columns.length
      ? 'line'
      : `concat_ws(',', ${ds.columns.map((c) => `coalesce(${rawName(c)}, '')`).join(', ')})`,
  };
}
