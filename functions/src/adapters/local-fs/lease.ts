/**
 * Leases as files created with O_EXCL: the local twin of a GCS object created with
 * `ifGenerationMatch: 0`. A lease older than its TTL is taken over (its holder crashed).
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { HeldLease, LeaseStore } from '../../ports/lease.js';

interface LeaseFile {
  holder: string;
  expiresAt: number;
}

/** Local-folder implementation of the lease port. */
export class LocalFsLeaseStore implements LeaseStore {
  private readonly root: string;

  constructor(
    root: string,
    private readonly now: () => number = Date.now,
  ) {
    this.root = resolve(root);
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<HeldLease | null> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, 'wx');
        const body: LeaseFile = { holder, expiresAt: this.now() + ttlMs };
        await fh.writeFile(JSON.stringify(body));
        await fh.close();
        return {
          key,
          release: async () => {
            // Release only our own lease: a stale one may have been taken over meanwhile.
            const current = await readLease(path);
            if (current?.holder === holder) await rm(path, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const current = await readLease(path);
        if (current && current.expiresAt > this.now()) return null;
        await rm(path, { force: true }); // stale or unreadable: break it and try once more
      }
    }
    return null;
  }
}

async function readLease(path: string): Promise<LeaseFile | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LeaseFile;
  } catch {
    return null;
  }
}
