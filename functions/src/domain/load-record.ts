/**
 * The record merge leaves of a month it loaded: which raw object (generation and sha256, hence which
 * source version) the tables now hold, and the counts. A scheduled run compares it with the landed
 * object to load only what is new. Written after the warehouse commit: a crash in between only makes
 * the next scheduled run load the month again, which changes nothing.
 */
import type { Taxi } from './datasets.js';
import type { Month } from './months.js';
import { emptyQuarantineCounts, type QuarantineCounts } from './quarantine.js';

export interface LoadRecord {
  taxi: Taxi;
  month: Month;
  /** The raw object the tables were loaded from. */
  rawUri: string;
  generation: string;
  sha256: string;
  etag: string | null;
  rowsInFile: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  /** The quarantined rows by reason; absent from records written before it was kept. */
  quarantined?: QuarantineCounts;
  loadedAt: string;
}

/**
 * Whether `record` is a load of exactly these bytes. The sha256 decides, not the generation: the same
 * file landed twice (two executions extracting at once) is the same source version.
 */
export function isLoadOf(record: LoadRecord | null, object: { sha256: string }): record is LoadRecord {
  return record !== null && record.sha256 === object.sha256;
}

/** `record` with its quarantined rows by reason, zeros when it was written before they were kept. */
export function withReasons(record: LoadRecord): LoadRecord & { quarantined: QuarantineCounts } {
  return { ...record, quarantined: record.quarantined ?? emptyQuarantineCounts() };
}
