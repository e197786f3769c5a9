/**
 * Bad Parquet files from the source: each is refused with one line before anything lands, and the
 * month already loaded stays exactly as it was. Retries, resume, the ETag short-cut and the `evolve`
 * contract behave as for CSV.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowIdSql } from '../../functions/src/adapters/duckdb/dialect.js';
import { parseConfig } from '../../functions/src/config.js';
import { dataset } from '../../functions/src/domain/datasets.js';
import { serveFiles, type Intercept } from '../../functions/src/local/file-server.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { tempDir, ZONES_FILE, ZONES_PATH } from '../helpers/files.js';
import { greenRowsIn, writeParquet } from '../helpers/parquet.js';
import { fingerprint, query } from '../helpers/stack.js';
import { yellowColumns } from '../helpers/tlc-files.js';

const MONTH = '2023-02';
const PATH = `/yellow_tripdata_${MONTH}.parquet`;
const ROWS = 2_000;
const ERA = { rename: { airport_fee: 'Airport_fee' }, omit: ['cbd_congestion_fee'] };

describe('bad Parquet files', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'data');
  const rows = greenRowsIn(MONTH, ROWS);
  const good = writeParquet(join(tmp.dir, 'good.parquet'), yellowColumns(rows, ERA), 500);
  const published = new Map([[PATH, good], [ZONES_PATH, ZONES_FILE]]);
  let intercept: Intercept | undefined;
  let server: Awaited<ReturnType<typeof serveFiles>>;
  let baseline: Record<string, unknown>;
  let rawBefore: Buffer;
  const raw = join(data, 'lake', 'raw', 'yellow', '2023', `yellow_tripdata_${MONTH}.parquet`);
  const config = (extra: Record<string, string> = {}) =>
    parseConfig({ TAXI_SOURCE_URL: `${server.url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`, TAXI_DATA_DIR: data, TAXI_RETRY_BASE_MS: '5', TAXI_HTTP_RETRIES: '2', ...extra });

  beforeAll(async () => {
    server = await serveFiles(published, (req, res) => intercept?.(req, res) ?? false);
    const s = await runMonth(config(), 'yellow', MONTH);
    expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: ROWS });
    baseline = await fingerprint(data, 'yellow_tripdata');
    rawBefore = readFileSync(raw);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  /** Serve `file` as the month (a new ETag), run, and check nothing changed. */
  async function refused(file: string, error: RegExp) {
    published.set(PATH, file);
    const s = await runMonth(config(), 'yellow', MONTH);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(error);
    expect(s.error).not.toMatch(/\n|    at /);
    expect(await fingerprint(data, 'yellow_tripdata')).toEqual(baseline);
    expect(readFileSync(raw).equals(rawBefore)).toBe(true);
    // nothing half-written is left in the lake
    expect(readdirSync(join(data, 'lake', 'raw', 'yellow', '2023')).sort()).toEqual([`yellow_tripdata_${MONTH}.parquet`, `yellow_tripdata_${MONTH}.parquet.meta.json`]);
  }

  const bytes = readFileSync(good);
  const write = (name: string, content: Uint8Array | string) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('an HTML page instead of the file', async () => {
    await refused(write('page.parquet', '<!DOCTYPE html><html><body>Access denied</body></html>'), /^extract: the source is not a Parquet file: it starts with an HTML\/XML page$/);
  });

  it('a truncated file', async () => {
    await refused(write('cut.parquet', bytes.subarray(0, bytes.length - 700)), /^extract: the Parquet file does not end with PAR1: it is truncated or not Parquet$/);
  });

  it('a corrupt footer', async () => {
    const broken = Buffer.from(bytes);
    const footerLength = broken.readUInt32LE(broken.length - 8);
    broken.fill(0xff, broken.length - 8 - footerLength, broken.length - 8 - footerLength + 40);
    await refused(write('corrupt.parquet', broken), /^extract: corrupt Parquet footer/);
  });

  it('a footer length that does not fit the file', async () => {
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(bytes.length * 2, broken.length - 8);
    await refused(write('long-footer.parquet', broken), /^extract: corrupt Parquet footer: its length \d+ does not fit a file of \d+ bytes$/);
  });

  it('an unknown column (a new fee): schema drift naming it, with what to do', async () => {
    const cols = yellowColumns(rows, { ...ERA, extra: [['surge_fee', 'DOUBLE', () => '2.5']] });
    await refused(
      writeParquet(join(tmp.dir, 'unknown.parquet'), cols),
      /^extract: schema drift in the yellow 2023-02 file: unknown column\(s\) "surge_fee" \(add them to functions\/src\/domain\/datasets\.ts, or set TAXI_SCHEMA_CONTRACT=evolve\)$/,
    );
  });

  it('a missing required column', async () => {
    await refused(writeParquet(join(tmp.dir, 'missing.parquet'), yellowColumns(rows, { ...ERA, omit: ['cbd_congestion_fee', 'tpep_dropoff_datetime'] })), /^extract: schema drift in the yellow 2023-02 file: missing column\(s\) tpep_dropoff_datetime$/);
  });

  it('a column of a type that cannot load losslessly', async () => {
    await refused(
      writeParquet(join(tmp.dir, 'mistyped.parquet'), yellowColumns(rows, { ...ERA, types: { PULocationID: 'STRING' } })),
      /^extract: schema drift in the yellow 2023-02 file: mistyped column\(s\): PULocationID is BYTE_ARRAY STRING, expected integer \(integer, float\)$/,
    );
  });

  it('the ETag short-cut: an unchanged file is not downloaded again, and a rerun changes nothing', async () => {
    published.set(PATH, good);
    server.requests.length = 0;
    const s = await runMonth(config(), 'yellow', MONTH);
    expect(s).toMatchObject({ status: 'succeeded', rowsLoaded: ROWS, inserted: 0, deleted: 0 });
    expect(server.requests.filter((r) => !r.path.startsWith('/misc/'))).toHaveLength(1); // one conditional GET, answered 304 (beside the zone lookup's)
    expect(await fingerprint(data, 'yellow_tripdata')).toEqual(baseline);
  });

  it('a connection dropped mid-file is resumed with Range, and the landed bytes are the file', async () => {
    const dir = join(tmp.dir, 'resume');
    let dropped = false;
    intercept = (req, res) => {
      if (dropped || req.headers.range) return false;
      dropped = true;
      const { size, mtimeMs } = statSync(good);
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes', etag: `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"` });
      res.write(bytes.subarray(0, Math.floor(size / 2)), () => res.destroy());
      return true;
    };
    try {
      const s = await runMonth(parseConfig({ TAXI_SOURCE_URL: `${server.url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`, TAXI_DATA_DIR: dir, TAXI_RETRY_BASE_MS: '5' }), 'yellow', MONTH);
      expect(s).toMatchObject({ status: 'succeeded', rowsInFile: ROWS, rowsLoaded: ROWS });
      expect(server.requests.filter((r) => r.range)).toHaveLength(1);
      expect(readFileSync(join(dir, 'lake', 'raw', 'yellow', '2023', `yellow_tripdata_${MONTH}.parquet`)).equals(bytes)).toBe(true);
    } finally {
      intercept = undefined;
    }
  });

  it('a month the source does not have is not_published and touches nothing', async () => {
    const s = await runMonth(config(), 'yellow', '2023-03');
    expect(s).toMatchObject({ status: 'not_published', rowsLoaded: 0 });
    expect(existsSync(join(data, 'lake', 'raw', 'yellow', '2023', 'yellow_tripdata_2023-03.parquet'))).toBe(false);
  });

  it('under the evolve contract a new column is added, typed from the file, NULL for the months before', async () => {
    const dir = join(tmp.dir, 'evolve');
    published.set(PATH, good);
    const march = greenRowsIn('2023-03', 300);
    published.set('/yellow_tripdata_2023-03.parquet', writeParquet(join(tmp.dir, 'evolved.parquet'), yellowColumns(march, { ...ERA, extra: [['surge_fee', 'DOUBLE', (_r, i) => (i % 2 ? '2.5' : '1.5')]] })));
    const cfg = parseConfig({ TAXI_SOURCE_URL: `${server.url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`, TAXI_DATA_DIR: dir, TAXI_SCHEMA_CONTRACT: 'evolve', TAXI_RETRY_BASE_MS: '5' });
    expect(await runMonth(cfg, 'yellow', MONTH)).toMatchObject({ status: 'succeeded', rowsLoaded: ROWS });
    const idsOf = async (m: string) => (await query(dir, `SELECT unique_row_id AS id FROM yellow_tripdata WHERE strftime(tpep_pickup_datetime, '%Y-%m') = '${m}' ORDER BY id`)).map((x) => x.id);
    const februaryIds = await idsOf(MONTH);
    expect(await runMonth(cfg, 'yellow', '2023-03')).toMatchObject({ status: 'succeeded', rowsLoaded: 300 });
    // The new column joins the ids of the rows that hold it; the earlier month's ids stay as they were.
    expect(await idsOf(MONTH)).toEqual(februaryIds);
    const [withFee] = await query(dir, `SELECT count(DISTINCT unique_row_id) AS n, count(*) FILTER (WHERE unique_row_id = ${rowIdSql(dataset('yellow').columns)}) AS without_fee FROM yellow_tripdata WHERE surge_fee IS NOT NULL`);
    expect(withFee).toEqual({ n: '300', without_fee: '0' });
    const r = await query(dir, `SELECT strftime(tpep_pickup_datetime, '%Y-%m') AS m, count(*) AS n, count(surge_fee) AS surge, CAST(sum(surge_fee) AS VARCHAR) AS total FROM yellow_tripdata GROUP BY ALL ORDER BY m`);
    expect(r).toEqual([
      { m: '2023-02', n: String(ROWS), surge: '0', total: null },
      { m: '2023-03', n: '300', surge: '300', total: '600.000000000' },
    ]);
    const [t] = await query(dir, `SELECT data_type AS t FROM information_schema.columns WHERE table_name = 'yellow_tripdata' AND column_name = 'surge_fee'`);
    expect(t!.t).toBe('DECIMAL(18,9)');
  });
});
