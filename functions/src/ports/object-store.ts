/**
 * The data lake: where extract lands raw files and where the warehouse reads them.
 * Implementations: `adapters/local-fs` (a folder) and `adapters/gcs` (a bucket).
 */
import type { Taxi } from '../domain/datasets.js';
import type { Month } from '../domain/months.js';

/** What extract learned about a raw file while streaming it; stored with the object. */
export interface RawFileMeta {
  taxi: Taxi;
  month: Month;
  sourceUrl: string;
  etag: string | null;
  /** Compressed size, as served. */
  bytes: number;
  /** sha256 of the compressed bytes, hex. */
  sha256: string;
  /** Non-empty lines after the header. */
  dataLines: number;
  /** Header column names (canonical spelling) in the file's order. */
  columns: string[];
  extractedAt: string;
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
  /** Stream an object's bytes. */
  read(key: string): AsyncIterable<Uint8Array>;
}
