/**
 * Cloud adapters: the GCS lake and leases, the BigQuery warehouse. Clients are built from
 * `config.gcp` with Application Default Credentials; nothing here touches the network until a method
 * is called.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import type { Config } from '../config.js';
import { BadRequestError } from '../domain/errors.js';
import type { Adapters } from '../wiring.js';
import { BigQueryWarehouse } from './bigquery/warehouse.js';
import { GcsLeaseStore } from './gcs/lease.js';
import { GcsObjectStore } from './gcs/object-store.js';

/** Endpoints and clients tests (or an emulator) can substitute. */
export interface GcpClientOverrides {
  storage?: Storage;
  bigquery?: BigQuery;
}

export async function gcpAdapters(config: Config, overrides: GcpClientOverrides = {}): Promise<Adapters> {
  const gcp = config.gcp;
  if (!gcp) throw new BadRequestError('TAXI_TARGET=gcp needs TAXI_GCP_PROJECT, TAXI_GCP_LOCATION, TAXI_BQ_DATASET and TAXI_GCS_BUCKET');
  const storage = overrides.storage ?? new Storage({ projectId: gcp.project });
  const warehouse = new BigQueryWarehouse({
    project: gcp.project,
    dataset: gcp.dataset,
    location: gcp.location,
    client: () => overrides.bigquery ?? new BigQuery({ projectId: gcp.project, location: gcp.location }),
  });
  return {
    store: new GcsObjectStore(storage, gcp.bucket),
    leases: new GcsLeaseStore(storage, gcp.bucket),
    warehouse,
    ledger: warehouse,
  };
}
