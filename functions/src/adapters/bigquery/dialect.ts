/**
 * BigQuery fragments for the twin templates in `sql/bigquery/`: physical types, safe casts, quoting and
 * literals. Twin of `adapters/duckdb/dialect.ts`: the slots have the same names and the same meaning,
 * so both stores compute the same fates, details and `unique_row_id`s for the same lines.
 */
import type { Column, ColumnKind, Dataset } from '../../domain/datasets.js';
import type { FileFormat } from '../../domain/file-formats.js';
import type { ColumnBinding, ValueType } from '../../domain/schema-contract.js';
import type { FileSchema } from '../shared/file-schema.js';

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
export type ParamType = 'STRING' | 'DATETIME' | 'INT64' | 'TIMESTAMP';

/** A typed query parameter value; null binds SQL NULL of that type. */
export interface Param {
  type: ParamType;
  value: string | null;
}

/** A parameter as the jobs API takes it (a NULL has no value). */
export function queryParameter(name: string, p: Param) {
  return { name, parameterType: { type: p.type }, parameterValue: p.value === null ? {} : { value: p.value } };
}

/** A parameter as a BigQuery literal, for `plan`. */
export function paramLiteral(p: Param): string {
  if (p.value === null) return `CAST(NULL AS ${p.type})`;
  if (p.type === 'INT64') return p.value;
  return p.type === 'STRING' ? literal(p.value) : `${p.type} ${literal(p.value)}`;
}

/** Replace `@name` parameters with literals, for `plan`. Unknown names are left alone. */
export function inlineParams(sql: string, params: Record<string, Param>): string {
  return sql.replace(/@(\w+)/g, (whole, name: string) => (params[name] ? paramLiteral(params[name]) : whole));
}

const rawName = (c: Column) => ident(`raw_${c.name}`);

/**
 * Safe cast of a column's raw value from what the file holds; NULL when it does not convert losslessly.
 * Integers go through NUMERIC (text) or a TRUNC check (FLOAT64) so `1.0` loads and `1.5` is rejected,
 * not rounded, like the DuckDB twin. Text times must match `%Y-%m-%d %H:%M:%S` exactly. A Parquet
 * timestamp may come back as DATETIME or TIMESTAMP; the CAST gives the same naive wall time either way.
 */
export function safeCast(c: Column, from: ValueType): string {
  const raw = rawName(c);
  const type = BIGQUERY_TYPES[c.kind];
  if (from === 'null') return `CAST(NULL AS ${type})`;
  if (from === 'text') {
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
  if (c.kind === 'integer' && from === 'float') return `CASE WHEN ${raw} = TRUNC(${raw}) THEN SAFE_CAST(${raw} AS INT64) END`;
  return `SAFE_CAST(${raw} AS ${type})`;
}

/**
 * The column's value as canonical text, the same as the DuckDB twin's: what `unique_row_id` hashes. An
 * evolved column (`optional`) joins the text only when it holds a value (`ARRAY_TO_STRING` skips NULL).
 */
function canonicalText(c: Column, optional = false): string {
  const name = ident(c.name);
  const text = (() => {
    switch (c.kind) {
      case 'timestamp':
        return `FORMAT_DATETIME('%Y-%m-%d %H:%M:%E6S', ${name})`;
      case 'string':
        return name;
      case 'numeric':
        return `FORMAT('%.9f', ${name})`;
      case 'integer':
        return `CAST(${name} AS STRING)`;
    }
  })();
  return optional ? text : `COALESCE(${text}, '')`;
}

/** The raw value of each column, read from one line's fields (CSV) or one row's columns (Parquet). */
const RAW_VALUE: Record<FileFormat, (b: ColumnBinding) => string> = {
  // SAFE_ORDINAL: a short line gives NULL for the missing fields (then `malformed`), never an error.
  csv: (b) => (b.position === null ? 'CAST(NULL AS STRING)' : `NULLIF(f[SAFE_ORDINAL(${b.position})], '')`),
  // A null-typed column is never read: BigQuery's reading of the Parquet NULL type is what fails
  // ("has type INT32 which does not match the target cpp_type DOUBLE"), and its values are all NULL.
  parquet: (b) => (b.source === null || b.source.type === 'null' ? 'NULL' : ident(b.source.name)),
};

/** The rows the stage reads: `line`, `field_count` and one `raw_<column>` per table column. */
const PARSED_ROWS: Record<FileFormat, (raw: string, external: string, fieldCount: number) => string> = {
  csv: (raw, external) =>
    `SELECT line, ARRAY_LENGTH(f) AS field_count,\n${raw}\n  FROM (\n    SELECT line, SPLIT(line, ',') AS f\n    FROM (SELECT RTRIM(line, '\\r') AS line FROM ${external})\n    WHERE line IS NOT NULL AND line <> ''\n  )`,
  parquet: (raw, external, fieldCount) => `SELECT CAST(NULL AS STRING) AS line, ${fieldCount} AS field_count,\n${raw}\n  FROM ${external}`,
};

/** A quarantined row's text: the line itself (CSV) or its values as a JSON object (Parquet). */
const SOURCE_TEXT: Record<FileFormat, (bindings: readonly ColumnBinding[]) => string> = {
  csv: () => 'line',
  parquet: (bindings) =>
    `TO_JSON_STRING(STRUCT(${bindings
      .filter((b) => b.source && b.source.type !== 'null')
      .map((b) => `${rawName(b.column)} AS ${ident(b.source!.name)}`)
      .join(', ')}))`,
};

/** Slot values shared by every template of a dataset, for one file. */
export function datasetSlots(ds: Dataset, file: FileSchema, externalTable: string) {
  const columns = file.bindings.map((b) => b.column);
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`).join(',\n');
  const typeOf = (b: ColumnBinding): ValueType => b.source?.type ?? 'null';
  return {
    column_definitions: ds.columns.map((c) => `  ${ident(c.name)} ${BIGQUERY_TYPES[c.kind]}`).join(',\n'),
    // Tables created before a column joined the dataset (or an evolved column) gain it, NULL for earlier rows.
    add_columns: columns.map((c) => `  ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${BIGQUERY_TYPES[c.kind]}`).join(',\n'),
    column_names: columns.map((c) => ident(c.name)).join(', '),
    source_column_names: columns.map((c) => `s.${ident(c.name)}`).join(', '),
    field_count: String(file.fieldCount),
    pickup: ident(ds.pickupColumn),
    cluster_columns: ds.clusterColumns.map(ident).join(', '),
    parsed_rows: PARSED_ROWS[file.format](indent(file.bindings.map((b) => `${RAW_VALUE[file.format](b)} AS ${rawName(b.column)}`)), externalTable, file.fieldCount),
    typed_columns: indent(file.bindings.map((b) => `${safeCast(b.column, typeOf(b))} AS ${ident(b.column.name)}`)),
    typed_names: columns.map((c) => `  ${ident(c.name)}`).join(',\n'),
    first_invalid_column: `CASE ${file.bindings
      .filter((b) => b.column.kind !== 'string' && typeOf(b) !== 'null')
      .map((b) => `WHEN ${rawName(b.column)} IS NOT NULL AND ${ident(b.column.name)} IS NULL THEN CONCAT(${literal(`${b.column.name}: `)}, CAST(${rawName(b.column)} AS STRING))`)
      .join(' ')} END`,
    canonical_text: `ARRAY_TO_STRING([${[...ds.columns.map((c) => canonicalText(c)), ...file.evolved.map((c) => canonicalText(c, true))].join(', ')}], ',')`,
    source_text: SOURCE_TEXT[file.format](file.bindings),
  };
}

/** The read-only count of a staging table by fate, run by `stage` and `stagedCounts`. */
export function countSql(stagingTableRef: string): string {
  return `SELECT IFNULL(reason, 'staged') AS reason, COUNT(*) AS n FROM ${stagingTableRef} GROUP BY 1`;
}
