/**
 * The schema contract between a file and its dataset: which canonical column each of the file's columns
 * is, by name and case-insensitively (`airport_fee` and `Airport_fee` are one column), which columns an
 * older file may lack, and which physical types each logical kind accepts. In the spirit of dlt's schema
 * contracts (columns: freeze | evolve), except that a value that does not fit is quarantined with its
 * row, never discarded. Pure data and pure functions.
 */
import type { Column, ColumnKind, Dataset } from './datasets.js';
import { BadSourceError } from './errors.js';
import type { Month } from './months.js';

/**
 * What a file's column holds, as far as loading cares. `text`: a CSV field, parsed with safe casts.
 * The others describe a Parquet column (physical type plus logical annotation).
 */
export type ValueType = 'text' | 'null' | 'integer' | 'float' | 'decimal' | 'string' | 'timestamp' | 'timestamp_utc' | 'date' | 'boolean' | 'binary' | 'other';

/** The value types each logical kind loads from losslessly (or quarantines a row of, when a value does not fit). */
export const ACCEPTED_VALUE_TYPES: Record<ColumnKind, readonly ValueType[]> = {
  // DOUBLE ids and counts (yellow passenger_count up to 2023, fhv PUlocationID): 1.0 loads, 1.5 is invalid.
  integer: ['text', 'null', 'integer', 'float'],
  numeric: ['text', 'null', 'integer', 'float', 'decimal'],
  // Naive New York time, in any unit; a UTC-adjusted timestamp would need a zone conversion the TLC never asks for.
  timestamp: ['text', 'null', 'timestamp'],
  string: ['text', 'null', 'string'],
};

/** The logical kind a new column gets under the `evolve` contract, by its file type. */
export const EVOLVED_KIND: Partial<Record<ValueType, ColumnKind>> = {
  text: 'string',
  integer: 'integer',
  float: 'numeric',
  decimal: 'numeric',
  string: 'string',
  timestamp: 'timestamp',
};

/** One column of a file, named as the file spells it. */
export interface FileColumn {
  readonly name: string;
  readonly type: ValueType;
  /** The file's own description of the type, for messages (`DOUBLE`, `INT64 TIMESTAMP(MICROS)`). */
  readonly physical?: string;
}

/** What to do with a column no era of the dataset knows. */
export const SCHEMA_CONTRACTS = ['freeze', 'evolve'] as const;
export type SchemaContract = (typeof SCHEMA_CONTRACTS)[number];

/** A canonical column and where it comes from in one file; `source` null: the file lacks it (NULL). */
export interface ColumnBinding {
  readonly column: Column;
  readonly source: FileColumn | null;
  /** 1-based position in the file (a CSV field number), or null when absent. */
  readonly position: number | null;
}

/** How a file's columns map onto its dataset. */
export interface SchemaMatch {
  /** Every canonical column, in canonical order, then the evolved ones. */
  readonly bindings: readonly ColumnBinding[];
  /** Columns added by the `evolve` contract (empty under `freeze`). */
  readonly evolved: readonly Column[];
}

const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');

function accepted(kind: ColumnKind): string {
  return ACCEPTED_VALUE_TYPES[kind].filter((t) => t !== 'text' && t !== 'null').join(', ');
}

/**
 * Match a file's columns to the dataset for `month`.
 * @throws BadSourceError (`schema drift ...`) naming every unknown, missing, repeated or mistyped column
 */
export function matchSchema(ds: Dataset, month: Month, fileColumns: readonly FileColumn[], contract: SchemaContract = 'freeze'): SchemaMatch {
  const canonical = new Map(ds.columns.map((c) => [c.name.toLowerCase(), c]));
  const found = new Map<string, { source: FileColumn; position: number }>();
  const unknown: FileColumn[] = [];
  const repeated: string[] = [];
  const mistyped: string[] = [];
  fileColumns.forEach((fc, i) => {
    const key = fc.name.toLowerCase();
    const column = canonical.get(key);
    if (found.has(key) || unknown.some((u) => u.name.toLowerCase() === key)) return void repeated.push(fc.name);
    if (!column) return void unknown.push(fc);
    found.set(key, { source: fc, position: i + 1 });
    if (!ACCEPTED_VALUE_TYPES[column.kind].includes(fc.type)) {
      mistyped.push(`${fc.name} is ${fc.physical ?? fc.type}, expected ${column.kind} (${accepted(column.kind)})`);
    }
  });
  const missing = ds.columns.filter((c) => !found.has(c.name.toLowerCase()) && (c.since === undefined || month >= c.since)).map((c) => c.name);
  const evolved: Column[] = [];
  const unevolvable: string[] = [];
  if (contract === 'evolve') {
    for (const fc of unknown) {
      const kind = EVOLVED_KIND[fc.type];
      if (kind && /^[A-Za-z_][A-Za-z0-9_]*$/.test(fc.name)) evolved.push({ name: fc.name, kind });
      else unevolvable.push(fc.name);
    }
  }
  const drift = [
    contract === 'freeze' && unknown.length
      ? `unknown column(s) ${quoted(unknown.map((u) => u.name))} (add them to functions/src/domain/datasets.ts, or set TAXI_SCHEMA_CONTRACT=evolve)`
      : '',
    unevolvable.length ? `column(s) ${quoted(unevolvable)} cannot be added (no loadable type or not a plain name)` : '',
    missing.length ? `missing column(s) ${missing.join(', ')}` : '',
    repeated.length ? `repeated column(s) ${quoted(repeated)}` : '',
    mistyped.length ? `mistyped column(s): ${mistyped.join('; ')}` : '',
  ].filter(Boolean);
  if (drift.length) throw new BadSourceError(`schema drift in the ${ds.taxi} ${month} file: ${drift.join('; ')}`);
  const bind = (column: Column): ColumnBinding => {
    const hit = found.get(column.name.toLowerCase());
    return { column, source: hit?.source ?? null, position: hit?.position ?? null };
  };
  const evolvedBindings = evolved.map((column) => {
    const i = fileColumns.findIndex((fc) => fc.name === column.name);
    return { column, source: fileColumns[i]!, position: i + 1 };
  });
  return { bindings: [...ds.columns.map(bind), ...evolvedBindings], evolved };
}

/** Column names of a CSV header line, as the file spells them (BOM, CR and quotes removed). */
export function headerNames(headerLine: string): string[] {
  return headerLine
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((n) => n.trim().replace(/^"(.*)"$/, '$1'));
}

/** A CSV header as file columns: every field is text. */
export function csvColumns(headerLine: string): FileColumn[] {
  return headerNames(headerLine).map((name) => ({ name, type: 'text' as const }));
}
