/**
 * Child process of parquet-memory.test.ts: extracts a generated Parquet month of about 100 MB (random,
 * incompressible values in the green schema) from a loopback source into the local lake, sampling the
 * JavaScript heap plus Buffer memory, and prints the figures as one JSON line. With PROBE_LIVE=1 it
 * collects garbage before each sample, so the figure is what the extract holds on to (its time is then
 * meaningless).
 */
import { rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalFsObjectStore } from '../../functions/src/adapters/local-fs/object-store.js';
import { serveFiles } from '../../functions/src/local/file-server.js';
import { resolveSource } from '../../functions/src/domain/sources.js';
import { extract } from '../../functions/src/steps/extract/extract.js';

const ROWS = Number(process.env.PROBE_ROWS ?? 900_000);
/** Collect garbage before each sample: the figure is then what the extract retains, not what V8 has yet to free. */
const LIVE = process.env.PROBE_LIVE === '1';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const dir = mkdtempSync(join(tmpdir(), 'taxi-parquet-probe-'));
try {
  const file = join(dir, 'green_tripdata_2020-10.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const money = (name: string) => `random() * 100 AS ${name}`;
  await con.run(`COPY (
    SELECT (i % 2 + 1)::BIGINT AS VendorID,
      TIMESTAMP '2020-10-01' + to_seconds((random() * 2500000)::BIGINT) AS lpep_pickup_datetime,
      TIMESTAMP '2020-10-01' + to_seconds((random() * 2500000)::BIGINT) AS lpep_dropoff_datetime,
      'N' AS store_and_fwd_flag, 1.0::DOUBLE AS RatecodeID, (random() * 265)::BIGINT AS PULocationID, (random() * 265)::BIGINT AS DOLocationID,
      1.0::DOUBLE AS passenger_count, ${['trip_distance', 'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount'].map(money).join(', ')},
      NULL::DOUBLE AS ehail_fee, ${['improvement_surcharge', 'total_amount'].map(money).join(', ')}, 1.0::DOUBLE AS payment_type, 1.0::DOUBLE AS trip_type, ${money('congestion_surcharge')}
    FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 122880)`);
  con.closeSync();
  db.closeSync();
  const bytes = statSync(file).size;
  const server = await serveFiles(new Map([['/green_tripdata_2020-10.parquet', file]]));
  const store = new LocalFsObjectStore(join(dir, 'lake'));
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  const baseline = used();
  let peak = baseline;
  const sampler = setInterval(() => {
    if (LIVE) gc();
    peak = Math.max(peak, used());
  }, LIVE ? 25 : 10);
  const started = Date.now();
  const result = await extract(
    { store, source: resolveSource(`${server.url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`), schemaContract: 'freeze', retry: { retries: 0, baseMs: 0 } },
    'green',
    '2020-10',
  );
  clearInterval(sampler);
  if (LIVE) gc();
  peak = Math.max(peak, used());
  const seconds = (Date.now() - started) / 1000;
  await server.close();
  const MB = 1024 * 1024;
  console.log(
    JSON.stringify({
      status: result.status,
      rows: result.object?.dataLines,
      fileMB: +(bytes / MB).toFixed(1),
      landedBytes: statSync(join(dir, 'lake', 'raw', 'green', '2020', 'green_tripdata_2020-10.parquet')).size,
      bytes,
      [LIVE ? 'peakLiveGrowthMB' : 'peakGrowthMB']: +((peak - baseline) / MB).toFixed(1),
      seconds,
      MBps: +(bytes / MB / seconds).toFixed(0),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
