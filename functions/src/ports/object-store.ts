/**
 * The data lake: where extract lands raw files and where the warehouse reads them.
 * Implementations: `adapters/local-fs` (a folder) and `adapters/gcs` (a bucket).
 */
import type { Taxi } from '../domain/datasets.js';
import type { FileFormat } from '../domain/file-formats.js';
import type { Month } from '../domain/months.js';
import type { FileColumn } from '../domain/schema-contract.js';

/** What extract learned about a raw file while streaming it; stored with the object. */
export interface RawFileMeta {
  /** The trip file's dataset and month; absent for the zone lookup, which belongs to no month. */
  taxi?: Taxi;
  month?: Month;
  sourceUrl: string;
  etag: string | null;
  /** `csv` (gzip CSV) or `parquet`; absent in metadata written before Parquet: `csv`. */
  format?: FileFormat;
  /** Size as served. */
  bytes: number;
  /** sha256 of the bytes as served, hex. */
  sha256: string;
  /** Rows in the file: non-empty lines after the header (CSV) or the footer's row count (Parquet). */
  dataLines: number;
  /** The file's columns matched to canonical names, in the file's order (evolved columns as spelt). */
  columns: string[];
  /** The file's columns as it spells and types them (Parquet: from the footer; CSV: the header, as text). */
  fileColumns?: FileColumn[];
  extractedAt: string;
}

/** The file's format, for metadata of any age. */
export function formatOf(meta: RawFileMeta): FileFormat {
  return meta.format ?? 'csv';
}

/** The file's columns as it spells and types them; metadata written before Parquet held canonical CSV names. */
export function fileColumnsOf(meta: RawFileMeta): FileColumn[] {
  return meta.fileColumns ?? meta.columns.map((name) => ({ name, type: 'text' as const }));
}

/** A landed object. */
export interface StoredObject {
  key: string;
  /** Where a warehouse reads it: a local path or `gs://bucket/key`. */
  uri: string;
  /** Changes whenever the object is rewritten; part of job IDs on the cloud path. */
  generation: string;
  meta: RawFileMeta;
}

/** An object the pipeline did not write (a file dropped under `landing/`): no metadata of ours. */
export interface PlainObject {
  key: string;
  uri: string;
  /** Changes whenever the object is rewritten: a copy landing again under the same name is another generation. */
  generation: string;
  bytes: number;
}

/** Progress of a write, in compressed bytes. */
export type ProgressFn = (bytesWritten: number) => void;

/** One interface per external system: the lake. */
export interface ObjectStore {
  /**
   * Write `body` under `key`. The object becomes visible only after `body` ends without error;
   * if it throws, nothing is left behind. `meta` is called after the last chunk, before commit,
   * so it can report what the stream measured.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, meta: () => RawFileMeta): Promise<StoredObject>;
  /** The object and its metadata, or null when absent. */
  head(key: string): Promise<StoredObject | null>;
  /** Write a small JSON record (replacing any earlier one), atomically: readers see the old or the new. */
  putRecord(key: string, value: unknown): Promise<void>;
  /** A JSON record written by putRecord, or null when absent. */
  getRecord<T>(key: string): Promise<T | null>;
  /** Stream an object's bytes; with `generation`, exactly that generation's (a rewritten object fails the read). */
  read(key: string, generation?: string): AsyncIterable<Uint8Array>;
  /** Any object's size and generation, metadata or not, or null when absent. */
  stat(key: string): Promise<PlainObject | null>;
  /** Delete the object if it is still at `generation`: false when it is gone or was rewritten meanwhile. */
  remove(key: string, generation: string): Promise<boolean>;
  /**
   * Move the object, if it is still at `generation`, to `to` with `note` as its metadata (string values):
   * false when it is gone or was rewritten meanwhile (the newer copy stays where it is).
   */
  move(key: string, generation: string, to: string, note: Record<string, string>): Promise<boolean>;
}
