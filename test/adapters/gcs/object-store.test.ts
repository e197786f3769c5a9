import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GcsObjectStore, versionedKey } from '../../../functions/src/adapters/gcs/object-store.js';
import type { RawFileMeta } from '../../../functions/src/ports/object-store.js';
import { FakeGcs } from './fake-gcs.js';
import { fakeGcsPerTest } from './fake-gcs-per-test.js';
import { landedObjectContract } from '../contract/landed-object.contract.js';

const KEY = 'raw/green/2020/green_tripdata_2020-10.csv.gz';

function file(text: string) {
  const body = gzipSync(Buffer.from(text));
  const meta: RawFileMeta = {
    taxi: 'green',
    month: '2020-10',
    sourceUrl: 'http://source/green_tripdata_2020-10.csv.gz',
    etag: '"abc"',
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    dataLines: text.trim().split('\n').length - 1,
    columns: ['VendorID', 'lpep_pickup_datetime'],
    extractedAt: '2024-01-01T00:00:00.000Z',
  };
  return { body, meta };
}

async function* chunks(buf: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function* failing(buf: Buffer): AsyncGenerator<Uint8Array> {
  yield buf.subarray(0, 5);
  throw new Error('source dropped');
}

let gcs: FakeGcs;
let store: GcsObjectStore;

beforeEach(async () => {
  gcs = await new FakeGcs().start();
  store = new GcsObjectStore(gcs.storage(), 'lake');
});
afterEach(() => gcs.stop());

describe('GcsObjectStore', () => {
  it('lands a Parquet object with its content type, format and footer schema, and reads them back', async () => {
    const body = Buffer.from('PAR1 not really parquet, the store does not look PAR1');
    const key = 'raw/yellow/2023/yellow_tripdata_2023-02.parquet';
    const meta: RawFileMeta = {
      ...file('x\n').meta,
      taxi: 'yellow',
      month: '2023-02',
      format: 'parquet',
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      dataLines: 3_066_766,
      columns: ['VendorID', 'airport_fee'],
      fileColumns: [
        { name: 'VendorID', type: 'integer', physical: 'INT64' },
        { name: 'Airport_fee', type: 'float', physical: 'DOUBLE' },
      ],
    };
    const stored = await store.put(key, chunks(body, 11), () => meta);
    const copy = gcs.requests.find((r) => r.path.includes('/rewriteTo/'))!;
    expect((copy.json as { contentType?: string }).contentType).toBe('application/vnd.apache.parquet');
    expect(stored.meta).toEqual(meta);
    expect((await store.head(key))!.meta).toEqual(meta);
    // a republished file with other bytes lands beside it, never over it
    expect(versionedKey(key, 'deadbeef00')).toBe('raw/yellow/2023/yellow_tripdata_2023-02.deadbeef.parquet');
  });

  it('keeps small JSON records (the month load records) and answers null for a missing one', async () => {
    expect(await store.getRecord('loads/green/green_tripdata_2020-10.json')).toBeNull();
    await store.putRecord('loads/green/green_tripdata_2020-10.json', { generation: '7', rowsLoaded: 5 });
    await store.putRecord('loads/green/green_tripdata_2020-10.json', { generation: '8', rowsLoaded: 6 });
    expect(await store.getRecord('loads/green/green_tripdata_2020-10.json')).toEqual({ generation: '8', rowsLoaded: 6 });
  });

  it('streams into a resumable upload with ifGenerationMatch=0 and crc32c, then publishes with metadata', async () => {
    const { body, meta } = file('VendorID,lpep_pickup_datetime\n1,2020-10-01 00:00:00\n');
    const stored = await store.put(KEY, chunks(body), () => meta);

    const start = gcs.requests.find((r) => r.method === 'POST' && r.query.uploadType === 'resumable')!;
    expect(start).toBeDefined();
    expect(start.query.ifGenerationMatch).toBe('0');
    expect(start.query.name).toMatch(/^_incoming\/raw\/green\/2020\/green_tripdata_2020-10\.csv\.gz\./);
    const put = gcs.requests.find((r) => r.method === 'PUT' && r.query.upload_id)!;
    expect(put).toBeDefined();

    const copy = gcs.requests.find((r) => r.path.includes('/rewriteTo/'))!;
    expect(copy.query.ifGenerationMatch).toBe('0');
    expect(decodeURIComponent(copy.path.split('/o/').pop()!)).toBe(KEY);
    expect((copy.json as { metadata: Record<string, string> }).metadata['taxi-sha256']).toBe(meta.sha256);

    expect(stored.uri).toBe(`gs://lake/${KEY}`);
    expect(stored.meta).toEqual(meta);
    const obj = gcs.objects.get(KEY)!;
    expect(obj.body).toEqual(body);
    expect(obj.metadata?.['taxi-data-lines']).toBe('1');
    expect(obj.metadata?.['taxi-columns']).toBe('VendorID,lpep_pickup_datetime');
    // the incoming object is gone, the pointer names the object
    expect([...gcs.objects.keys()].filter((k) => k.startsWith('_incoming/'))).toEqual([]);
    expect(JSON.parse(gcs.objects.get(`pointers/${KEY}.json`)!.body!.toString())).toMatchObject({ name: KEY, sha256: meta.sha256 });

    const head = await store.head(KEY);
    expect(head).toEqual(stored);
    const read: Buffer[] = [];
    for await (const c of store.read(KEY)) read.push(Buffer.from(c));
    expect(Buffer.concat(read)).toEqual(body);
  });

  it('fails the upload when the stored crc32c differs from the streamed bytes', async () => {
    const { body, meta } = file('a,b\n1,2\n');
    // corrupt what the server reports: the library must notice and fail
    gcs.misreportCrc32c = (name) => (name.startsWith('_incoming/') ? 'AAAAAA==' : undefined);
    await expect(store.put(KEY, chunks(body), () => meta)).rejects.toThrow(/did not match/);
    expect([...gcs.objects.keys()]).toEqual([]); // the library deleted the bad upload; nothing published
    expect(gcs.requests.some((r) => r.path.includes('/rewriteTo/'))).toBe(false);
  });

  it('commits nothing when the body throws', async () => {
    const { body, meta } = file('a,b\n1,2\n');
    await expect(store.put(KEY, failing(body), () => meta)).rejects.toThrow(/source dropped/);
    expect([...gcs.objects.keys()]).toEqual([]);
    expect(await store.head(KEY)).toBeNull();
  });

  it('a 412 on a retried put with the same bytes continues with the landed object', async () => {
    const { body, meta } = file('a,b\n1,2\n');
    const first = await store.put(KEY, chunks(body), () => meta);
    const generation = gcs.objects.get(KEY)!.generation;
    // a retry that lost the pointer write: the copy meets the existing object
    gcs.objects.delete(`pointers/${KEY}.json`);
    const again = await store.put(KEY, chunks(body), () => ({ ...meta, extractedAt: '2024-02-02T00:00:00.000Z' }));
    const copies = gcs.requests.filter((r) => r.path.includes('/rewriteTo/'));
    expect(copies).toHaveLength(2);
    expect(gcs.objects.get(KEY)!.generation).toBe(generation); // never rewritten
    expect(again.uri).toBe(first.uri);
    expect(again.meta.sha256).toBe(meta.sha256);
  });

  it('a republished file lands under <stem>.<sha8>.csv.gz and head resolves it', async () => {
    const a = file('a,b\n1,2\n');
    const b = file('a,b\n1,2\n3,4\n');
    await store.put(KEY, chunks(a.body), () => a.meta);
    const second = await store.put(KEY, chunks(b.body), () => b.meta);
    const name = versionedKey(KEY, b.meta.sha256);
    expect(name).toBe(`raw/green/2020/green_tripdata_2020-10.${b.meta.sha256.slice(0, 8)}.csv.gz`);
    expect(second.uri).toBe(`gs://lake/${name}`);
    expect(gcs.objects.get(KEY)!.body).toEqual(a.body); // the first object is untouched
    expect((await store.head(KEY))!.uri).toBe(`gs://lake/${name}`);
    // back to the first content: same object, but a new generation string (new job IDs downstream)
    const third = await store.put(KEY, chunks(a.body), () => a.meta);
    expect(third.uri).toBe(`gs://lake/${KEY}`);
    expect(third.generation).not.toBe(second.generation);
  });

  it('fails clearly when an object with the same name holds different bytes', async () => {
    const a = file('a,b\n1,2\n');
    const b = file('a,b\n9,9\n');
    // someone else's object under the versioned name of b
    await store.put(KEY, chunks(a.body), () => a.meta);
    gcs.seed(versionedKey(KEY, b.meta.sha256), Buffer.from('other'), { 'taxi-sha256': 'f'.repeat(64) });
    await expect(store.put(KEY, chunks(b.body), () => b.meta)).rejects.toThrow(/already exists with different content/);
    expect((await store.head(KEY))!.uri).toBe(`gs://lake/${KEY}`);
  });

  it('head is null for a missing key', async () => {
    expect(await store.head(KEY)).toBeNull();
  });
});

describe('landed objects on GCS', () => {
  const fake = fakeGcsPerTest();
  landedObjectContract('gcs', () => {
    const storage = fake().storage();
    return {
      store: new GcsObjectStore(storage, 'lake'),
      drop: async (key, body) => {
        await storage.bucket('lake').file(key).save(body, { resumable: false });
      },
      noteOf: async (key) => {
        const [m] = await storage.bucket('lake').file(key).getMetadata();
        const custom = (m.metadata ?? {}) as Record<string, string>;
        return Object.fromEntries(Object.entries(custom).map(([k, v]) => [k.replace(/^taxi-/, ''), String(v)]));
      },
    };
  });
});
