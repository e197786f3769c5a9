/**
 * A landed file on GCS (the fake JSON API): adopted into raw/ with extract's metadata and deleted from
 * landing/, or moved to landing/rejected/ with the reason as custom metadata.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GcsObjectStore } from '../../../functions/src/adapters/gcs/object-store.js';
import { adoptLanded, classifyLanded } from '../../../functions/src/steps/extract/landed.js';
import { REAL_MONTH } from '../../helpers/files.js';
import { fakeGcsPerTest } from './fake-gcs-per-test.js';

const KEY = 'landing/green_tripdata_2020-10.csv.gz';
const RAW = 'raw/green/2020/green_tripdata_2020-10.csv.gz';

const fake = fakeGcsPerTest();

describe('landed files on GCS', () => {
  it('the real month is verified into raw/ with its metadata, and the landed object deleted', async () => {
    const storage = fake().storage();
    const store = new GcsObjectStore(storage, 'adopt');
    const bytes = readFileSync(REAL_MONTH);
    await storage.bucket('adopt').file(KEY).save(bytes, { resumable: false });
    expect(await classifyLanded(store, KEY)).toEqual({ status: 'accepted', object: KEY, taxi: 'green', month: '2020-10', format: 'csv' });
    const r = await adoptLanded({ store, schemaContract: 'freeze' }, 'green', '2020-10', KEY);
    expect(r).toMatchObject({ status: 'extracted', rawUri: `gs://adopt/${RAW}`, loaded: null });
    const head = (await store.head(RAW))!;
    expect(head.meta).toMatchObject({ taxi: 'green', month: '2020-10', format: 'csv', sourceUrl: `gs://adopt/${KEY}`, etag: null, bytes: bytes.length, dataLines: 95_120, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(await store.stat(KEY)).toBeNull();
    // The same event delivered again: the file is in raw/ already.
    expect(await adoptLanded({ store, schemaContract: 'freeze' }, 'green', '2020-10', KEY)).toMatchObject({ status: 'unchanged', rawUri: `gs://adopt/${RAW}` });
  });

  it('a broken file is moved to landing/rejected/ with the reason, and nothing lands in raw/', async () => {
    const storage = fake().storage();
    const store = new GcsObjectStore(storage, 'broken');
    await storage.bucket('broken').file(KEY).save(readFileSync(REAL_MONTH).subarray(0, 50_000), { resumable: false });
    await expect(adoptLanded({ store, schemaContract: 'freeze' }, 'green', '2020-10', KEY)).rejects.toThrow(
      'the file is not a complete gzip stream (unexpected end of file) (landing/green_tripdata_2020-10.csv.gz moved to landing/rejected/green_tripdata_2020-10.csv.gz)',
    );
    expect(await store.stat(KEY)).toBeNull();
    expect(await store.head(RAW)).toBeNull();
    const [m] = await storage.bucket('broken').file('landing/rejected/green_tripdata_2020-10.csv.gz').getMetadata();
    expect(m.metadata).toMatchObject({ 'taxi-reason': 'the file is not a complete gzip stream (unexpected end of file)' });
  });

  it('a name that matches nothing is moved aside at once', async () => {
    const storage = fake().storage();
    const store = new GcsObjectStore(storage, 'named');
    await storage.bucket('named').file('landing/yellow_tripdata_2010-02.parquet').save('x', { resumable: false });
    const v = await classifyLanded(store, 'landing/yellow_tripdata_2010-02.parquet');
    expect(v).toMatchObject({ status: 'rejected', rejectedTo: 'landing/rejected/yellow_tripdata_2010-02.parquet' });
    expect((v as { reason: string }).reason).toMatch(/^yellow 2010-02 is not loadable: /);
    expect(await store.stat('landing/yellow_tripdata_2010-02.parquet')).toBeNull();
  });
});
