/**
 * Cloud adapters (GCS lake and leases, BigQuery warehouse): issue 3.
 */
import type { Config } from '../config.js';
import type { Adapters } from '../wiring.js';

export async function gcpAdapters(_config: Config): Promise<Adapters> {
  throw new Error('the gcp target is not implemented yet');
}
