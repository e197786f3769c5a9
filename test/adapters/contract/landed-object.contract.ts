/**
 * The object store contract for objects the pipeline did not write (files dropped under `landing/`):
 * stat, reading one generation, conditional remove and move. Run over every implementation that runs
 * offline.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../functions/src/ports/object-store.js';

/** A store, and how its tests drop a plain object and read a moved object's note. */
export interface LandedFixture {
  store: ObjectStore;
  drop(key: string, body: string): Promise<void>;
  noteOf(key: string): Promise<Record<string, string> | null>;
}

async function readAll(it: AsyncIterable<Uint8Array>) {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out).toString();
}

const KEY = 'landing/green_tripdata_2020-10.csv.gz';

/** Register the contract tests for `make()` (a fresh, empty store each time). */
export function landedObjectContract(name: string, make: () => Promise<LandedFixture> | LandedFixture) {
  describe(`landed objects: ${name}`, () => {
    it('stat gives a dropped object\'s size and generation (null when absent), and read of that generation its bytes', async () => {
      const { store, drop } = await make();
      expect(await store.stat(KEY)).toBeNull();
      await drop(KEY, 'first copy');
      const st = await store.stat(KEY);
      expect(st).toMatchObject({ key: KEY, bytes: 10 });
      expect(st!.generation).toMatch(/\S/);
      expect(await readAll(store.read(KEY, st!.generation))).toBe('first copy');
      // No pipeline metadata: it is not a landed raw file to head().
      expect(await store.head(KEY)).toBeNull();
    });

    it('a copy landing again is a new generation: the old one can no longer be read, removed or moved', async () => {
      const { store, drop } = await make();
      await drop(KEY, 'first copy');
      const old = (await store.stat(KEY))!.generation;
      await drop(KEY, 'second copy, longer');
      const now = (await store.stat(KEY))!.generation;
      expect(now).not.toBe(old);
      await expect(readAll(store.read(KEY, old))).rejects.toThrow(/changed while it was being read/);
      expect(await store.remove(KEY, old)).toBe(false);
      expect(await store.move(KEY, old, 'landing/rejected/x.csv.gz', { reason: 'r' })).toBe(false);
      expect(await store.stat('landing/rejected/x.csv.gz')).toBeNull();
      expect(await readAll(store.read(KEY, now))).toBe('second copy, longer');
      expect(await store.remove(KEY, now)).toBe(true);
      expect(await store.stat(KEY)).toBeNull();
      expect(await store.remove(KEY, now)).toBe(false);
    });

    it('move takes the object, with its note, to the new key', async () => {
      const { store, drop, noteOf } = await make();
      await drop('landing/notes.txt', 'not a trip file');
      const st = (await store.stat('landing/notes.txt'))!;
      expect(await store.move('landing/notes.txt', st.generation, 'landing/rejected/notes.txt', { reason: 'not a TLC trip file name', 'rejected-at': '2026-12-04T00:00:00.000Z' })).toBe(true);
      expect(await store.stat('landing/notes.txt')).toBeNull();
      const moved = (await store.stat('landing/rejected/notes.txt'))!;
      expect(await readAll(store.read('landing/rejected/notes.txt', moved.generation))).toBe('not a trip file');
      expect(await noteOf('landing/rejected/notes.txt')).toEqual({ reason: 'not a TLC trip file name', 'rejected-at': '2026-12-04T00:00:00.000Z' });
    });
  });
}
