/**
 * The inflated text extract keeps for the embedded warehouse (`work/…csv`): byte for byte the raw
 * file's text, landed only for a file that verified, read by the stage instead of the gzip (shown by a
 * planted change that only the text carries), removed once the month is staged, and ignored when it is
 * the text of another version of the file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config.js';
import { plainTextKey, rawObjectKey } from '../../functions/src/domain/naming.js';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { localAdapters } from '../../functions/src/local/adapters.js';
import { extract } from '../../functions/src/steps/extract/extract.js';
import { stage } from '../../functions/src/steps/stage/stage.js';
import { stepDeps } from '../../functions/src/wiring.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { source } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const TEXT_KEY = plainTextKey('green', '2020-10', 'csv')!;
const RAW_KEY = rawObjectKey('green', '2020-10', 'csv');
const real = readFileSync(REAL_MONTH);

async function setup(name: string, body: Buffer = real, env: Record<string, string> = {}) {
  const server = await source({}, (req, res) => {
    if (!req.url?.includes('green_tripdata_2020-10')) return false;
    res.writeHead(200, { 'content-length': body.length }).end(body);
    return true;
  });
  const config = parseConfig({ TAXI_SOURCE_URL: server.url, TAXI_DATA_DIR: join(tmp.dir, name), TAXI_HTTP_RETRIES: '0', ...env });
  const adapters = localAdapters(config);
  const deps = stepDeps(config, adapters);
  const lake = (key: string) => join(tmp.dir, name, 'lake', key);
  const close = async () => {
    await adapters.warehouse.close();
    await server.close();
  };
  return { deps, adapters, lake, close };
}

describe('the plain text of a CSV month (embedded warehouse)', () => {
  it('is the raw file inflated, with its sha256; the stage reads it and removes it', async () => {
    const { deps, adapters, lake, close } = await setup('used');
    try {
      const got = await extract(deps.extract, 'green', '2020-10');
      expect(got.status).toBe('extracted');
      const text = readFileSync(lake(TEXT_KEY));
      expect(text.equals(gunzipSync(real))).toBe(true);
      const meta = JSON.parse(readFileSync(`${lake(TEXT_KEY)}.meta.json`, 'utf8')).meta;
      expect(meta.sha256).toBe(got.object!.sha256);
      // A change planted in the text only: if the stage read the gzip, it would not show.
      const lines = text.toString('utf8').split('\n');
      const fields = lines[1]!.split(',');
      fields[16] = '12345.67'; // total_amount
      lines[1] = fields.join(',');
      writeFileSync(lake(TEXT_KEY), lines.join('\n'));
      const staged = await stage(deps.warehouse, 'green', '2020-10');
      expect(staged).toMatchObject({ status: 'staged', staged: 95_111, rowsQuarantined: 9 });
      const rows = await adapters.warehouse.query('SELECT count(*) AS n FROM green_tripdata_staging_2020_10 WHERE total_amount = 12345.67');
      expect(rows).toEqual([{ n: '1' }]);
      expect(existsSync(lake(TEXT_KEY))).toBe(false);
      expect(existsSync(`${lake(TEXT_KEY)}.meta.json`)).toBe(false);
      expect(existsSync(lake(RAW_KEY))).toBe(true);
      // Nor the folders it was in: only work/ itself stays.
      expect(readdirSync(lake('work'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it("is not used when it is another version's text, and is left alone", async () => {
    const { deps, adapters, lake, close } = await setup('stale');
    try {
      await extract(deps.extract, 'green', '2020-10');
      const side = JSON.parse(readFileSync(`${lake(TEXT_KEY)}.meta.json`, 'utf8'));
      side.meta.sha256 = 'f'.repeat(64);
      writeFileSync(`${lake(TEXT_KEY)}.meta.json`, JSON.stringify(side));
      writeFileSync(lake(TEXT_KEY), readFileSync(lake(TEXT_KEY), 'utf8').replace(/\n[^\n]*\n/, '\n'));
      expect(await stage(deps.warehouse, 'green', '2020-10')).toMatchObject({ status: 'staged', staged: 95_111, rowsQuarantined: 9 });
      expect(existsSync(lake(TEXT_KEY))).toBe(true);
      // The stale text lacks a line: read, it would have staged 95,119 lines.
      const rows = await adapters.warehouse.query('SELECT count(*) AS n FROM green_tripdata_staging_2020_10');
      expect(rows).toEqual([{ n: '95120' }]);
    } finally {
      await close();
    }
  });

  it('is not kept with TAXI_PLAIN_TEXT=off: the month stages from the gzip', async () => {
    const { deps, lake, close } = await setup('off', real, { TAXI_PLAIN_TEXT: 'off' });
    try {
      expect((await extract(deps.extract, 'green', '2020-10')).status).toBe('extracted');
      expect(existsSync(lake(TEXT_KEY))).toBe(false);
      expect(await stage(deps.warehouse, 'green', '2020-10')).toMatchObject({ status: 'staged', staged: 95_111, rowsQuarantined: 9 });
    } finally {
      await close();
    }
  });

  it('is not kept, nor read, for a month with more lines than the warehouse holds in memory (it is streamed)', async () => {
    // A limit of 62,500 lines (as 16MB of DuckDB memory gives) against the real month's 95,120. Its size
    // (1.2 MB) does not tell, so the text is written while the file downloads and dropped once the lines
    // are counted.
    const { deps, lake, close } = await setup('large');
    try {
      expect(new DuckDbWarehouse(':memory:', { memory_limit: '16MB' }).plainTextLines).toBe(62_500);
      const got = await extract({ ...deps.extract, plainTextLines: 62_500 }, 'green', '2020-10');
      expect(got.status).toBe('extracted');
      expect(existsSync(dirname(lake(TEXT_KEY))) ? readdirSync(dirname(lake(TEXT_KEY))) : []).toEqual([]);
      // And a streamed month's stage reads the compressed file even when given a text.
      const raw = await deps.extract.store.head(RAW_KEY);
      const job = { taxi: 'green' as const, month: '2020-10', object: raw!, plainText: '/elsewhere/text.csv' };
      const external = (small: string) => new DuckDbWarehouse(':memory:', { memory_limit: small }).plan(job).find((st) => st.sql.includes('read_csv('))!.sql;
      expect(external('16MB')).toContain(raw!.uri);
      expect(external('512MB')).toContain('/elsewhere/text.csv');
    } finally {
      await close();
    }
  });

  it('is not kept for a file that fails verification', async () => {
    const cut = real.subarray(0, Math.floor(real.length * 0.7));
    const { deps, lake, close } = await setup('refused', cut);
    try {
      await expect(extract(deps.extract, 'green', '2020-10')).rejects.toThrow(/not a complete gzip stream/);
      expect(existsSync(lake(TEXT_KEY))).toBe(false);
      expect(existsSync(lake(RAW_KEY))).toBe(false);
    } finally {
      await close();
    }
  });
});
