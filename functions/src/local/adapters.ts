/**
 * The embedded mode's adapters: a folder for the lake and the leases, DuckDB for the warehouse.
 */
import type { Config } from '../config.js';
import { LocalFsLeaseStore } from '../adapters/local-fs/lease.js';
import { LocalFsObjectStore } from '../adapters/local-fs/object-store.js';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import { localPaths, type Adapters } from '../wiring.js';

/** Local adapters over `config.dataDir`. */
export function localAdapters(config: Config): Adapters {
  const paths = localPaths(config.dataDir);
  const warehouse = new DuckDbWarehouse(paths.warehouse, { memory_limit: config.duckdbMemoryLimit }, config.leaseWaitMs);
  return {
    store: new LocalFsObjectStore(paths.lake),
    leases: new LocalFsLeaseStore(paths.lake),
    warehouse,
    ledger: warehouse,
  };
}
