/**
 * The lease contract, run over every implementation that can run offline: one holder at a time, the
 * same execution takes its own lease again at once, a holder that stops renewing is taken over after
 * the TTL, renewal and fencing are compare-and-swap on a token that only grows.
 */
import { describe, expect, it } from 'vitest';
import type { HeldLease, LeaseStore } from '../../../functions/src/ports/lease.js';

/** `make(now)` builds a fresh store whose clock is `now()`. */
export function leaseContract(name: string, make: (now: () => number) => LeaseStore) {
  const KEY = 'leases/green_tripdata_2020-10.lock';
  const take = async (store: LeaseStore, holder: string, ttl = 60_000): Promise<HeldLease> => {
    const got = await store.acquire(KEY, holder, ttl);
    if (!got.lease) throw new Error(`${holder} did not get the lease: held by ${got.busy.holder}`);
    return got.lease;
  };

  describe(`lease contract: ${name}`, () => {
    it('one holder at a time, who is told; released leases are taken again with a larger token', async () => {
      const store = make(Date.now);
      const a = await take(store, 'exec-a');
      const busy = await store.acquire(KEY, 'exec-b', 60_000);
      expect(busy.lease).toBeUndefined();
      expect(busy.busy).toMatchObject({ holder: 'exec-a', token: a.token });
      expect(busy.busy!.expiresAt).toBeGreaterThan(Date.now());
      expect((await store.acquire('leases/green_tripdata_2020-11.lock', 'exec-b', 60_000)).lease).toBeDefined();
      await a.release();
      const b = await take(store, 'exec-b');
      expect(BigInt(b.token)).toBeGreaterThan(BigInt(a.token));
    });

    it('the same execution (a retried step) takes its lease again at once; the old handle can no longer commit', async () => {
      const store = make(Date.now);
      const first = await take(store, 'exec-a');
      const retry = await take(store, 'exec-a');
      expect(BigInt(retry.token)).toBeGreaterThan(BigInt(first.token));
      let committed = false;
      await expect(first.fence(async () => void (committed = true))).rejects.toThrow(/lost the lease/);
      expect(committed).toBe(false);
      await expect(first.renew()).rejects.toThrow(/lost the lease/);
      expect(await retry.fence(async () => 'done')).toBe('done');
      await retry.release();
    });

    it('a holder that stops renewing is taken over after the TTL; the zombie cannot renew, commit or release', async () => {
      let t = 1_000_000;
      const store = make(() => t);
      const zombie = await take(store, 'exec-old', 1_000);
      t += 900;
      expect((await store.acquire(KEY, 'exec-new', 1_000)).busy).toBeDefined();
      t += 200;
      const fresh = await take(store, 'exec-new', 1_000);
      await expect(zombie.renew()).rejects.toThrow(/lost the lease/);
      await expect(zombie.fence(async () => 'late commit')).rejects.toThrow(/lost the lease/);
      await zombie.release();
      expect((await store.acquire(KEY, 'exec-third', 1_000)).busy).toMatchObject({ holder: 'exec-new' });
      await fresh.release();
    });

    it('renewal keeps the lease past its first TTL', async () => {
      let t = 1_000_000;
      const store = make(() => t);
      const a = await take(store, 'exec-a', 1_000);
      for (let i = 0; i < 5; i++) {
        t += 700;
        await a.renew();
      }
      expect((await store.acquire(KEY, 'exec-b', 1_000)).busy).toMatchObject({ holder: 'exec-a' });
      expect(await a.fence(async () => 42)).toBe(42);
      await a.release();
    });

    it('concurrent acquires: exactly one wins', async () => {
      const store = make(Date.now);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquire('leases/race.lock', `h${i}`, 60_000)));
      expect(results.filter((r) => r.lease)).toHaveLength(1);
    });
  });
}
