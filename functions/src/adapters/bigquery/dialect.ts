/**
 * BigQuery fragments for the twin templates in `sql/bigquery/`: physical types, safe casts, quoting and
 * literals. Twin of `adapters/duckdb/dialect.ts`: the slots have the same names and the same meaning,
 * so both stores compute the same fates, details and `unique_row_id`s for the same lines.
 */
import type { Column, ColumnKind, Dataset } from '../../domain/datasets.js';
import { fieldPositions } from '../../domain/header.js';

/**
 * Physical type per logical kind. Times are DATETIME: the TLC writes naive New York local times, and a
 * TIMESTAMP would pretend they are UTC. NUMERIC is (38,9), the same as DuckDB's DECIMAL(38,9).
 */
export const BIGQUERY_TYPES: Record<ColumnKind, string> = {
  integer: 'INT64',
  numeric: 'NUMERIC',
  timestamp: 'DATETIME',
  string: 'STRING',
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROJECT = /^[a-z][a-z0-9.:-]{4,61}[a-z0-9]$/;

/** Quote a column or table name; names come from the dataset definitions and naming.ts only. */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`refusing identifier ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** A fully qualified table, `` `project.dataset.table` ``, each part validated. */
export function tableRef(project: string, dataset: string, table: string): string {
  if (!PROJECT.test(project)) throw new Error(`invalid GCP project id ${JSON.stringify(project)}`);
  if (!IDENT.test(dataset) || dataset.length > 1024) throw new Error(`invalid BigQuery dataset ${JSON.stringify(dataset)}`);
  if (!IDENT.test(table)) throw new Error(`invalid BigQuery table ${JSON.stringify(table)}`);
  return `\`${project}.${dataset}.${table}\``;
}

/** A BigQuery string literal: quotes and backslashes escaped, control characters as \x escapes. */
export function literal(value: string): string {
  const body = value.replace(/[\\'\u0000-\u001f\u007f]/g, (ch) => {
    if (ch === '\\') return '\\\\';
    if (ch === "'") return "\\'";
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${body}'`;
}

/** Query parameter types the templates use. */
export type ParamType = 'STRING' | 'DATETIME';

/** A typed query parameter value. */
export interface Param {
  type: ParamType;
  value: string;
}

/** A parameter as a BigQuery literal, for `plan`. */
export function paramLiteral(p: Param): string {
  return p.type === 'DATETIME' ? `DATETIME ${literal(p.value)}` : literal(p.value);
}

/** Replace `@name` parameters with literals, for `plan`. Unknown names are left alone. */
export function inlineParams(sql: string, params: Record<string, Param>): string {
  return sql.replace(/@(\w+)/g, (whole, name: string) => (params[name] ? paramLiteral(params[name]) : whole));
}

const rawName = (c: Column) => ident(`raw_${c.name}`);

/**
 * Safe cast of the column's raw text; NULL when it does not parse. Integers go through NUMERIC so `1.0`
 * loads, and are rejected (not rounded) when they have a fraction, like the DuckDB twin. Times must
 * match `%Y-%m-%d %H:%M:%S` exactly.
 */
export function safeCast(c: Column): string {
  const raw = rawName(c);
  switch (c.kind) {
    case 'integer': {
      const dec = `SAFE_CAST(${raw} AS NUMERIC)`;
      return `CASE WHEN ${dec} = TRUNC(${dec}) THEN SAFE_CAST(${dec} AS INT64) END`;
    }
    case 'numeric':
      return `SAFE_CAST(${raw} AS NUMERIC)`;
    case 'timestamp':
      return `SAFE.PARSE_DATETIME('%Y-%m-%d %H:%M:%S', ${raw})`;
    case 'string':
      return raw;
  }
}

/**
 * Clustering of the main table: the zone pair is what trip queries filter and group on most (zone
 * lookups, origin-destination matrices), and both columns exist in both datasets.
 */
export const MAIN_CLUSTER_COLUMNS = ['PULocationID', 'DOLocationID'] as const;

/** Slot values shared by every template of a dataset, with `fileColumns` the header order of the file. */
export function datasetSlots(ds: Dataset, fileColumns: readonly string[]) {
  const pos = fieldPositions(ds, fileColumns);
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`).join(',\n');
  return {
    column_definitions: ds.columns.map((c) => `  ${ident(c.name)} ${BIGQUERY_TYPES[c.kind]}`).join(',\n'),
    column_names: ds.columns.map((c) => ident(c.name)).join(', '),
    column_count: String(ds.columns.length),
    pickup: ident(ds.pickupColumn),
    cluster_columns: MAIN_CLUSTER_COLUMNS.map(ident).join(', '),
    // SAFE_ORDINAL: a short line gives NULL for the missing fields (then `malformed`), never an error.
    raw_columns: indent(ds.columns.map((c) => `NULLIF(f[SAFE_ORDINAL(${pos(c)})], '') AS ${rawName(c)}`)),
    typed_columns: indent(ds.columns.map((c) => `${safeCast(c)} AS ${ident(c.name)}`)),
    typed_names: ds.columns.map((c) => `  ${ident(c.name)}`).join(',\n'),
    first_invalid_column: `CASE ${ds.columns
      .filter((c) => c.kind !== 'string')
      .map((c) => `WHEN ${rawName(c)} IS NOT NULL AND ${ident(c.name)} IS NULL THEN CONCAT(${literal(`${c.name}: `)}, ${rawName(c)})`)
      .join(' ')} END`,
    // Same text as DuckDB's concat_ws(',', coalesce(raw, '') ...), so TO_HEX(MD5(..)) equals its md5(..).
    canonical_text: `ARRAY_TO_STRING([${ds.columns.map((c) => `COALESCE(${rawName(c)}, '')`).join(', ')}], ',')`,
  };
}

/** The read-only count of a staging table by fate, run by `stage` and `stagedCounts`. */
export function countSql(stagingTableRef: string): string {
  return `SELECT IFNULL(reason, 'staged') AS reason, COUNT(*) AS n FROM ${stagingTableRef} GROUP BY 1`;
}
