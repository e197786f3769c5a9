/**
 * Leases as GCS objects: the cloud twin of `adapters/local-fs/lease.ts`.
 *
 * - acquire: create `leases/...lock` with `ifGenerationMatch: 0` (exactly one creator wins); its
 *   custom metadata holds `holder` and `expiresAt` (epoch ms).
 * - held by another and not expired: `null` (the step answers `skipped: locked`).
 * - expired (its holder crashed or timed out): deleted with `ifGenerationMatch` of that stale
 *   generation, so of two runs breaking it only one succeeds, then created again with generation 0.
 * - release: delete with our own generation, so a lease broken and retaken by another run is never
 *   deleted by its former holder.
 */
import type { Bucket, Storage } from '@google-cloud/storage';
import type { HeldLease, LeaseStore } from '../../ports/lease.js';
import { statusOf } from './object-store.js';

/** GCS implementation of the lease port. */
export class GcsLeaseStore implements LeaseStore {
  private readonly bucket: Bucket;

  constructor(
    storage: Storage,
    bucketName: string,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = storage.bucket(bucketName);
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<HeldLease | null> {
    const file = this.bucket.file(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      const expiresAt = this.now() + ttlMs;
      try {
        await file.save(JSON.stringify({ holder, expiresAt }), {
          resumable: false,
          contentType: 'application/json',
          metadata: { metadata: { holder, expiresAt: String(expiresAt) } },
          preconditionOpts: { ifGenerationMatch: 0 },
        });
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
        let stale: string;
        try {
          const [m] = await file.getMetadata();
          const until = Number((m.metadata as Record<string, unknown> | undefined)?.expiresAt);
          if (Number.isFinite(until) && until > this.now()) return null; // held, and fresh
          stale = String(m.generation);
        } catch (e) {
          if (statusOf(e) === 404) continue; // released meanwhile: try again
          throw e;
        }
        try {
          await this.bucket.file(key).delete({ ifGenerationMatch: stale });
        } catch (e) {
          const code = statusOf(e);
          if (code !== 404 && code !== 412) throw e; // someone else broke it first: race for the create
        }
        continue;
      }
      const generation = String(file.metadata?.generation);
      return {
        key,
        release: async () => {
          try {
            await this.bucket.file(key).delete({ ifGenerationMatch: generation });
          } catch (e) {
            const code = statusOf(e);
            if (code !== 404 && code !== 412) throw e; // gone or taken over: not ours to delete
          }
        },
      };
    }
    return null;
  }
}
