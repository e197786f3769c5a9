/**
 * The run ledger's store: the warehouse's `pipeline_runs` table. Implementations: `adapters/duckdb` and
 * `adapters/bigquery` (the warehouses implement it beside the Warehouse port).
 */
import type { LedgerEntry } from '../domain/ledger.js';

/** Which rows to read. */
export interface LedgerFilter {
  taxi?: string;
  from?: string;
  to?: string;
}

export interface Ledger {
  /** Append one step attempt. */
  append(entry: LedgerEntry): Promise<void>;
  /** The attempts of the months asked, ordered by when they ended. */
  read(filter: LedgerFilter): Promise<LedgerEntry[]>;
}
