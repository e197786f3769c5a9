/**
 * Wiring: configuration in, adapters and step dependencies out. The only module that picks an
 * implementation per port; steps never import adapters.
 */
import { join } from 'node:path';
import type { Config } from './config.js';
import type { LeaseStore } from './ports/lease.js';
import type { Ledger } from './ports/ledger.js';
import type { ObjectStore } from './ports/object-store.js';
import type { Warehouse } from './ports/warehouse.js';
import type { ExtractDeps } from './steps/extract/extract.js';
import type { WarehouseStepDeps } from './steps/month-job.js';
import type { NotifyDeps } from './steps/notify/notify.js';
import type { CatalogDeps } from './steps/catalog/catalog.js';

/** The adapters of one configuration. */
export interface Adapters {
  store: ObjectStore;
  leases: LeaseStore;
  warehouse: Warehouse;
  /** The run ledger: the warehouse's `pipeline_runs` table. */
  ledger: Ledger;
}

/** Everything the step functions need. */
export interface StepDeps {
  extract: ExtractDeps;
  warehouse: WarehouseStepDeps;
  notify: NotifyDeps;
  catalog: CatalogDeps;
  ledger: Ledger;
  adapters: Adapters;
}

/** Where the embedded mode keeps its lake and its warehouse. */
export function localPaths(dataDir: string) {
  return { lake: join(dataDir, 'lake'), warehouse: join(dataDir, 'warehouse.duckdb') };
}

/** What a caller watches of the steps: download progress and retries. */
export interface StepWatchers {
  onProgress?: ExtractDeps['onProgress'];
  onRetry?: ExtractDeps['onRetry'];
}

/** Step dependencies over a set of adapters. */
export function stepDeps(config: Config, adapters: Adapters, watch: StepWatchers = {}): StepDeps {
  return {
    adapters,
    extract: {
      store: adapters.store,
      source: config.source,
      schemaContract: config.schemaContract,
      retry: { retries: config.httpRetries, baseMs: config.retryBaseMs, ...config.http },
      plainTextLines: config.plainText ? adapters.warehouse.plainTextLines : 0,
      ...(watch.onProgress ? { onProgress: watch.onProgress } : {}),
      ...(watch.onRetry ? { onRetry: watch.onRetry } : {}),
    },
    warehouse: { store: adapters.store, leases: adapters.leases, warehouse: adapters.warehouse, leaseTtlMs: config.leaseTtlMs, leaseWaitMs: config.leaseWaitMs, format: config.source.format, schemaContract: config.schemaContract },
    notify: { webhookUrl: config.alertWebhook },
    catalog: { store: adapters.store, warehouse: adapters.warehouse, zonesUrl: config.zonesUrl, retry: { retries: config.httpRetries, baseMs: config.retryBaseMs, ...config.http } },
    ledger: adapters.ledger,
  };
}
