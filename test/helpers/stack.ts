/**
 * Run months through the real local stack (functions over HTTP, DuckDB) against a loopback source.
 */
import { parseConfig } from '../../functions/src/config.js';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { serveFiles, type Intercept, type Published } from '../../functions/src/local/file-server.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { localPaths } from '../../functions/src/wiring.js';
import type { Taxi } from '../../functions/src/domain/datasets.js';
import { ZONES_FILE, ZONES_PATH } from './files.js';

/** A loopback release server publishing `files` as `/{taxi}/{name}` → path. */
export async function source(files: Record<string, string>, intercept?: Intercept) {
  // The zone lookup is always served as is: an intercept is about the trip files.
  const tripsOnly: Intercept | undefined = intercept && ((req, res) => (req.url?.startsWith(ZONES_PATH) ? false : intercept(req, res)));
  return serveFiles(new Map([...Object.entries(files), [ZONES_PATH, ZONES_FILE]]), tripsOnly);
}

/** Config for a test data dir with fast retries. */
export function testConfig(sourceUrl: string, dataDir: string) {
  return parseConfig({ TAXI_SOURCE_URL: sourceUrl, TAXI_DATA_DIR: dataDir, TAXI_RETRY_BASE_MS: '10', TAXI_HTTP_RETRIES: '3' });
}

/** Run one month; returns the summary. */
export async function run(sourceUrl: string, dataDir: string, taxi: Taxi, month: string) {
  return runMonth(testConfig(sourceUrl, dataDir), taxi, month);
}

/** Query the data dir's warehouse (opens and closes it). */
export async function query(dataDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const wh = new DuckDbWarehouse(localPaths(dataDir).warehouse);
  try {
    return await wh.query(sql);
  } finally {
    await wh.close();
  }
}

/** A fingerprint of a table: row count, sum of total_amount, hash of the sorted unique_row_ids. */
export async function fingerprint(dataDir: string, table: string) {
  const [row] = await query(
    dataDir,
    `SELECT count(*) AS n, CAST(sum(total_amount) AS VARCHAR) AS total, md5(string_agg(unique_row_id, ',' ORDER BY unique_row_id)) AS ids FROM ${table}`,
  );
  return row!;
}

export type { Published };
