/**
 * `taxi-elt plan --target bigquery`: the statements the BigQuery adapter runs for one month, offline
 * (no credentials, no network), over a fabricated raw object `gs://<bucket or YOUR_BUCKET>/raw/...` in
 * canonical column order.
 */
export { planBigQuery, placeholderObject, type PlanBigQueryInput } from './warehouse.js';
