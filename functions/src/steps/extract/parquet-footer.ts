/**
 * The Parquet footer of a downloaded file, read with hyparquet (a maintained reader; no hand-rolled
 * Thrift): its row count, and its top-level columns with the value type each holds.
 */
import { parquetMetadata } from 'hyparquet';
import { BadSourceError } from '../../domain/errors.js';
import type { FileColumn, ValueType } from '../../domain/schema-contract.js';

/** What the footer says about the file. */
export interface ParquetFooter {
  rows: number;
  columns: FileColumn[];
}

/** The subset of hyparquet's SchemaElement read here. */
interface Element {
  name: string;
  type?: string;
  num_children?: number;
  converted_type?: string;
  logical_type?: { type: string; isAdjustedToUTC?: boolean; unit?: string };
}

/** The value type of a leaf column, from its physical type and logical (or legacy converted) annotation. */
export function valueTypeOf(e: Element): ValueType {
  const logical = e.logical_type?.type;
  const converted = e.converted_type;
  if (e.num_children) return 'other';
  if (logical === 'NULL') return 'null';
  if (logical === 'TIMESTAMP') return e.logical_type!.isAdjustedToUTC ? 'timestamp_utc' : 'timestamp';
  // Legacy writers (converted types only, or INT96) did not tell naive from UTC; the TLC's are naive.
  if (converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || e.type === 'INT96') return 'timestamp';
  if (logical === 'DATE' || converted === 'DATE') return 'date';
  if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'decimal';
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'JSON' || converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return 'string';
  switch (e.type) {
    case 'INT32':
    case 'INT64':
      return logical === undefined || logical === 'INTEGER' ? 'integer' : 'other';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    case 'BOOLEAN':
      return 'boolean';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return 'binary';
    default:
      return 'other';
  }
}

/** The file's own words for a column's type, for messages: `DOUBLE`, `INT64 TIMESTAMP(MICROS)`, `INT32 NULL`. */
export function physicalOf(e: Element): string {
  if (e.num_children) return 'a nested group';
  const l = e.logical_type;
  const note = l
    ? l.type === 'TIMESTAMP'
      ? ` TIMESTAMP(${l.unit ?? '?'}${l.isAdjustedToUTC ? ', UTC' : ''})`
      : l.type === 'INTEGER'
        ? ''
        : ` ${l.type}`
    : e.converted_type && !/^U?INT_/.test(e.converted_type)
      ? ` ${e.converted_type}`
      : '';
  return `${e.type ?? 'untyped'}${note}`;
}

/** Top-level columns of a flattened Parquet schema (nested groups count as one, of type `other`). */
function topLevel(schema: Element[]): Element[] {
  const out: Element[] = [];
  let i = 1;
  const skip = (n: number) => {
    for (let k = 0; k < n; k++) {
      const e = schema[i++];
      if (!e) throw new Error('schema ends early');
      if (e.num_children) skip(e.num_children);
    }
  };
  const children = schema[0]?.num_children ?? 0;
  for (let k = 0; k < children; k++) {
    const e = schema[i++];
    if (!e) throw new Error('schema ends early');
    out.push(e);
    if (e.num_children) skip(e.num_children);
  }
  return out;
}

/**
 * Parse the footer at the end of `tail`, the last bytes of a file of `fileBytes` bytes.
 * @throws BadSourceError when the file does not end in a readable, consistent Parquet footer
 */
export function readParquetFooter(tail: Uint8Array, fileBytes: number): ParquetFooter {
  const magic = Buffer.from(tail.subarray(Math.max(0, tail.length - 4))).toString('latin1');
  if (magic !== 'PAR1') throw new BadSourceError('the Parquet file does not end with PAR1: it is truncated or not Parquet');
  const footerLength = tail.length >= 8 ? Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).readUInt32LE(tail.length - 8) : -1;
  if (footerLength < 0 || footerLength + 12 > fileBytes) throw new BadSourceError(`corrupt Parquet footer: its length ${footerLength} does not fit a file of ${fileBytes} bytes`);
  if (footerLength + 8 > tail.length) throw new BadSourceError(`the Parquet footer is ${footerLength} bytes, more than the ${tail.length} bytes read from the end of the file`);
  let md: ReturnType<typeof parquetMetadata>;
  let columns: FileColumn[];
  // (reassigned below when the statistics show all-null columns)
  try {
    md = parquetMetadata(tail.subarray(tail.length - footerLength - 8));
    columns = topLevel(md.schema as Element[]).map((e) => ({ name: e.name, type: valueTypeOf(e), physical: physicalOf(e) }));
  } catch (err) {
    throw new BadSourceError(`corrupt Parquet footer (${(err as Error).message})`, { cause: err });
  }
  const rows = Number(md.num_rows);
  const inGroups = md.row_groups.reduce((sum, g) => sum + Number(g.num_rows), 0);
  if (!Number.isSafeInteger(rows) || rows < 0 || inGroups !== rows) {
    throw new BadSourceError(`corrupt Parquet footer: ${rows} rows in the file but ${inGroups} in its row groups`);
  }
  const dataEnd = fileBytes - footerLength - 8;
  for (const group of md.row_groups) {
    for (const chunk of group.columns) {
      const m = chunk.meta_data;
      const start = Number(m?.dictionary_page_offset ?? m?.data_page_offset ?? 0);
      if (m && start + Number(m.total_compressed_size) > dataEnd) {
        throw new BadSourceError(`corrupt Parquet footer: column ${m.path_in_schema.join('.')} reaches past the data (byte ${start + Number(m.total_compressed_size)} of ${dataEnd})`);
      }
    }
  }
  if (columns.length === 0) throw new BadSourceError('the Parquet file has no columns');
  // A column written all null (older TLC files write some as INT32 with no value) holds no value of any
  // type: it is null-typed, whatever its physical type. The row groups' statistics tell.
  const leaves = md.schema.filter((e) => e.type !== undefined && !e.num_children).map((e) => e.name);
  const flat = leaves.length === columns.length && leaves.every((n, i) => n === columns[i]!.name);
  if (flat && md.row_groups.length > 0) {
    columns = columns.map((c, i) => {
      const empty = md.row_groups.every((g) => {
        const m = g.columns[i]?.meta_data;
        return m?.statistics?.null_count !== undefined && Number(m.statistics.null_count) === Number(m.num_values);
      });
      return empty && c.type !== 'null' ? { ...c, type: 'null' as const, physical: `${c.physical} (all null)` } : c;
    });
  }
  return { rows, columns };
}
