/**
 * The object store contract, run over every implementation that can run offline.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectStore, RawFileMeta } from '../../../functions/src/ports/object-store.js';

const meta = (n: number, sha256 = 'ab'): RawFileMeta => ({
  taxi: 'green',
  month: '2020-10',
  sourceUrl: 'http://x/green/green_tripdata_2020-10.csv.gz',
  etag: '"e"',
  bytes: n,
  sha256,
  dataLines: 1,
  columns: ['VendorID'],
  extractedAt: '2026-01-01T00:00:00.000Z',
});

async function* chunks(parts: string[], failAfter?: number) {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ === failAfter) throw new Error('source broke');
    yield Buffer.from(p);
  }
}

async function readAll(it: AsyncIterable<Uint8Array>) {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out).toString();
}

/** Register the contract tests for `make()` (a fresh, empty store each time). */
export function objectStoreContract(name: string, make: () => ObjectStore) {
  describe(`object store contract: ${name}`, () => {
    it('head of a missing key is null', async () => {
      expect(await make().head('raw/green/2020/none.csv.gz')).toBeNull();
    });

    it('put then head and read return the bytes and the metadata', async () => {
      const store = make();
      const put = await store.put('raw/green/2020/a.csv.gz', chunks(['ab', 'cd']), () => meta(4));
      const head = await store.head('raw/green/2020/a.csv.gz');
      expect(head).toEqual(put);
      expect(head?.meta.bytes).toBe(4);
      expect(await readAll(store.read('raw/green/2020/a.csv.gz'))).toBe('abcd');
    });

    it('a body that fails leaves nothing behind, and an existing object untouched', async () => {
      const store = make();
      await expect(store.put('raw/green/2020/b.csv.gz', chunks(['ab', 'cd'], 1), () => meta(4))).rejects.toThrow('source broke');
      expect(await store.head('raw/green/2020/b.csv.gz')).toBeNull();
      const first = await store.put('raw/green/2020/b.csv.gz', chunks(['v1']), () => meta(2));
      await expect(store.put('raw/green/2020/b.csv.gz', chunks(['v2', 'x'], 1), () => meta(3))).rejects.toThrow('source broke');
      expect(await store.head('raw/green/2020/b.csv.gz')).toEqual(first);
      expect(await readAll(store.read('raw/green/2020/b.csv.gz'))).toBe('v1');
    });

    it('a body of many chunks, tiny and large, lands byte for byte in order', async () => {
      const store = make();
      // Sizes from 1 byte to 1.5 MiB, so writes gather many chunks, a few, or one larger than a batch.
      const sizes = Array.from({ length: 700 }, (_, i) => (i % 97 === 0 ? 1_500_000 : (i * 7919) % 9000) + 1);
      const parts = sizes.map((n, i) => Buffer.alloc(n, (i * 31) % 251));
      async function* body() {
        yield* parts;
      }
      const whole = Buffer.concat(parts);
      await store.put('raw/green/2020/many.parquet', body(), () => meta(whole.length));
      const out: Buffer[] = [];
      for await (const c of store.read('raw/green/2020/many.parquet')) out.push(Buffer.from(c));
      expect(Buffer.concat(out).equals(whole)).toBe(true);
    });

    it('metadata is asked for only after the last byte', async () => {
      const store = make();
      let ended = false;
      async function* body() {
        yield Buffer.from('x');
        ended = true;
      }
      await store.put('raw/green/2020/c.csv.gz', body(), () => {
        expect(ended).toBe(true);
        return meta(1);
      });
    });

    it('a rewrite with other bytes changes the generation; the same bytes again keep the object', async () => {
      const store = make();
      const a = await store.put('raw/green/2020/d.csv.gz', chunks(['1']), () => meta(1, 'sha-of-1'));
      const b = await store.put('raw/green/2020/d.csv.gz', chunks(['2']), () => meta(1, 'sha-of-2'));
      expect(b.generation).not.toBe(a.generation);
      const again = await store.put('raw/green/2020/d.csv.gz', chunks(['2']), () => meta(1, 'sha-of-2'));
      expect(again.generation).toBe(b.generation);
      expect((await store.head('raw/green/2020/d.csv.gz'))!.generation).toBe(b.generation);
    });
  });
}
