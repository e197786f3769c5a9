/**
 * What every format's verifier gives extract: the bytes to land, passed through untouched, and what was
 * measured on them once the stream has ended.
 */
import type { FileColumn } from '../../domain/schema-contract.js';

/** Facts measured while streaming, complete once the iterable has ended. */
export interface FileFacts {
  bytes: number;
  sha256: string;
  /** Rows in the file: data lines (CSV) or the footer's row count (Parquet). */
  rows: number;
  /** The file's columns as it spells and types them. */
  columns: FileColumn[];
}

/** A stream under verification: it throws before its end when the file is not acceptable. */
export interface VerifiedFile {
  stream: AsyncIterable<Uint8Array>;
  facts: () => FileFacts;
}
