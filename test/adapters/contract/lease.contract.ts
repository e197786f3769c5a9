/**
 * The lease contract, run over every implementation that can run offline.
 */
import { describe, expect, it } from 'vitest';
import type { LeaseStore } from '../../../functions/src/ports/lease.js';

/** `make(now)` builds a fresh store whose clock is `now()`. */
export function leaseContract(name: string, make: (now: () => number) => LeaseStore) {
  describe(`lease contract: ${name}`, () => {
    it('one holder at a time; released leases can be taken again', async () => {
      const store = make(Date.now);
      const a = await store.acquire('leases/green_2020-10.lock', 'a', 60_000);
      expect(a).not.toBeNull();
      expect(await store.acquire('leases/green_2020-10.lock', 'b', 60_000)).toBeNull();
      expect(await store.acquire('leases/green_2020-11.lock', 'b', 60_000)).not.toBeNull();
      await a!.release();
      expect(await store.acquire('leases/green_2020-10.lock', 'b', 60_000)).not.toBeNull();
    });

    it('a stale lease is taken over, and its old holder cannot release the new one', async () => {
      let t = 1_000_000;
      const store = make(() => t);
      const old = await store.acquire('leases/x.lock', 'old', 1_000);
      t += 5_000;
      const fresh = await store.acquire('leases/x.lock', 'new', 1_000);
      expect(fresh).not.toBeNull();
      await old!.release();
      expect(await store.acquire('leases/x.lock', 'third', 1_000)).toBeNull();
      await fresh!.release();
    });

    it('concurrent acquires: exactly one wins', async () => {
      const store = make(Date.now);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquire('leases/race.lock', `h${i}`, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
