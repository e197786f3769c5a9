/**
 * The embedded mode's adapters: a folder for the lake and the leases, DuckDB for the warehouse.
 */
import type { Config } from '../config.js';
import { LocalFsLeaseStore } from '../adapters/local-fs/lease.js';
import { LocalFsObjectStore } from '../adapters/local-fs/object-store.js';
import { DuckDbWarehouse, loadDuckDb } from '../adapters/duckdb/warehouse.js';
import { localPaths, type Adapters } from '../wiring.js';

/** Local adapters over `config.dataDir`. */
export function localAdapters(config: Config): Adapters {
  const paths = localPaths(config.dataDir);
  // Start loading DuckDB now, in the background: every run gets to stage, and the load overlaps the
  // download. A load failure surfaces at the first warehouse call, as before.
  loadDuckDb().catch(() => undefined);
  const warehouse = new DuckDbWarehouse(paths.warehouse, { memory_limit: config.duckdbMemoryLimit }, config.leaseWaitMs);
  return {
    store: new LocalFsObjectStore(paths.lake),
    leases: new LocalFsLeaseStore(paths.lake),
    warehouse,
    ledger: warehouse,
  };
}
