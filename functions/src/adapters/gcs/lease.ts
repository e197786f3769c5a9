/**
 * Leases as GCS objects: the cloud twin of `adapters/local-fs/lease.ts`.
 *
 * - The lease object `leases/...lock` carries `holder`, `since` and `expiresAt` (epoch ms) as custom
 *   metadata. Its generation is the fencing token: GCS generations only grow for a name, even across
 *   deletes, so a newer acquisition always has a larger token.
 * - acquire: create with `ifGenerationMatch: 0`; when it exists and is free (expired, or held by the
 *   same execution: a retried step), overwrite it with `ifGenerationMatch` of the generation read, so of
 *   two runs taking it over only one succeeds. Held by another live execution: its state is returned.
 * - renew: patch `expiresAt` with `ifGenerationMatch` (our token) and `ifMetagenerationMatch` (our last
 *   write): a 412 means the lease was taken over or renewed by someone else, i.e. lost.
 * - fence: the generation is read and compared just before the commit. GCS cannot make that check part of
 *   a BigQuery job, so a holder stalled between the check and its job's start could still commit; the
 *   heartbeat stops the step as soon as a renewal fails, which narrows that window to one round trip.
 * - release: delete with our own generation, so a lease taken over is never deleted by its former holder.
 */
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import { LeaseLostError } from '../../domain/errors.js';
import type { Acquired, HeldLease, LeaseState, LeaseStore } from '../../ports/lease.js';
import { statusOf } from './object-store.js';

const meta = (m: FileMetadata, k: string) => (m.metadata as Record<string, unknown> | undefined)?.[k];

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

  private async read(file: File): Promise<FileMetadata | null> {
    try {
      return (await file.getMetadata())[0];
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async peek(key: string): Promise<LeaseState | null> {
    const m = await this.read(this.bucket.file(key));
    const until = m ? Number(meta(m, 'expiresAt')) : NaN;
    if (!m || !Number.isFinite(until) || until <= this.now()) return null;
    return { holder: String(meta(m, 'holder')), token: String(m.generation), expiresAt: until, since: Number(meta(m, 'since')) };
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<Acquired> {
    const file = this.bucket.file(key);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read(file);
      if (current) {
        const until = Number(meta(current, 'expiresAt'));
        const sameHolder = meta(current, 'holder') === holder;
        if (!sameHolder && Number.isFinite(until) && until > this.now()) {
          return { busy: { holder: String(meta(current, 'holder')), token: String(current.generation), expiresAt: until, since: Number(meta(current, 'since')) } };
        }
      }
      const now = this.now();
      try {
        await file.save(JSON.stringify({ holder, since: now }), {
          resumable: false,
          contentType: 'application/json',
          metadata: { metadata: { holder, since: String(now), expiresAt: String(now + ttlMs) } },
          preconditionOpts: { ifGenerationMatch: current ? String(current.generation) : 0 },
        });
      } catch (err) {
        if (statusOf(err) === 412) continue; // another run took it between our read and our write
        throw err;
      }
      const m = file.metadata ?? (await this.read(file))!;
      return { lease: this.held(key, holder, String(m.generation), String(m.metageneration ?? '1'), ttlMs) };
    }
    const current = await this.read(file);
    if (!current) throw new LeaseLostError(`could not take the lease on ${key}: it kept changing`);
    return { busy: { holder: String(meta(current, 'holder')), token: String(current.generation), expiresAt: Number(meta(current, 'expiresAt')), since: Number(meta(current, 'since')) } };
  }

  private held(key: string, holder: string, token: string, metageneration: string, ttlMs: number): HeldLease {
    let metagen = metageneration;
    const lost = (why: string) => new LeaseLostError(`lost the lease on ${key}: ${why}; nothing was committed`);
    return {
      key,
      holder,
      token,
      renew: async () => {
        try {
          const [m] = await this.bucket
            .file(key, { generation: Number(token) })
            .setMetadata({ metadata: { expiresAt: String(this.now() + ttlMs) } }, { ifGenerationMatch: token, ifMetagenerationMatch: metagen });
          metagen = String(m.metageneration);
        } catch (err) {
          const code = statusOf(err);
          if (code === 412 || code === 404) throw lost('taken over by another execution');
          throw err;
        }
      },
      fence: async (commit) => {
        const m = await this.read(this.bucket.file(key));
        if (!m || String(m.generation) !== token || meta(m, 'holder') !== holder) throw lost(m ? `now held by ${String(meta(m, 'holder'))}` : 'it was removed');
        return commit();
      },
      release: async () => {
        try {
          await this.bucket.file(key).delete({ ifGenerationMatch: token });
        } catch (e) {
          const code = statusOf(e);
          if (code !== 404 && code !== 412) throw e; // gone or taken over: not ours to delete
        }
      },
    };
  }
}
