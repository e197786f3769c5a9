/**
 * Leases as JSON files: the local twin of `adapters/gcs/lease.ts`. Every change to a lease file
 * (acquire, take over, renew, release, fenced commit) happens under a mutex directory created with
 * `mkdir` (atomic), so read-check-write is a compare-and-swap even across processes. The file stays after
 * release (marked released) so the fencing token keeps growing. A lease whose process is gone (same host,
 * `kill(pid, 0)` answers ESRCH) is free at once; one whose holder stopped renewing, after its TTL.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LeaseLostError } from '../../domain/errors.js';
import type { Acquired, HeldLease, LeaseState, LeaseStore } from '../../ports/lease.js';
import { processAlive } from '../shared/leftovers.js';

interface LeaseFile extends LeaseState {
  pid: number;
  host: string;
  released?: boolean;
}

/**
 * A mutex directory older than this is left by a process killed inside a critical section, when its
 * owner cannot be told (another host, or a process killed between creating it and naming itself in it).
 */
const MUTEX_STALE_MS = 10_000;
/** A live process names itself in its mutex right after creating it: unnamed for longer, it is a dead one's. */
const MUTEX_UNNAMED_MS = 1_000;
const OWNER = 'owner';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function readLease(path: string): Promise<LeaseFile | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LeaseFile;
  } catch {
    return null;
  }
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

  /**
   * Run `work` holding the key's mutex directory. The directory names its process (`owner`: host and
   * pid), so a mutex left by a process killed inside a critical section is broken at once, like its lease.
   */
  private async locked<T>(path: string, work: () => Promise<T>): Promise<T> {
    const mutex = `${path}.mutex`;
    const me = `${hostname()} ${process.pid}`;
    await mkdir(dirname(path), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(mutex);
        await writeFile(join(mutex, OWNER), me);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (await this.abandoned(mutex)) await rm(mutex, { recursive: true, force: true });
        else await sleep(Math.min(5 + attempt * 5, 50));
      }
    }
    try {
      return await work();
    } finally {
      await rm(mutex, { recursive: true, force: true });
    }
  }

  /** Whether a mutex directory was left by a process that is gone. */
  private async abandoned(mutex: string): Promise<boolean> {
    const age = await stat(mutex).then((s) => Date.now() - s.mtimeMs, () => 0);
    const owner = await readFile(join(mutex, OWNER), 'utf8').catch(() => null);
    // No name, or an empty one: the file is created before its text is written, and a process killed
    // in between left it empty (the crash drill's next run waited the 10 s below for such a mutex).
    if (!owner) return age > MUTEX_UNNAMED_MS;
    const [host, pid] = owner.split(' ');
    if (host === hostname() && !processAlive(Number(pid))) return true;
    return age > MUTEX_STALE_MS;
  }

  private async write(path: string, lease: LeaseFile): Promise<void> {
    const tmp = `${path}.tmp-${randomUUID()}`;
    await writeFile(tmp, JSON.stringify(lease));
    await rename(tmp, path);
  }

  /** Whether the current lease can be taken by `holder`. */
  private free(current: LeaseFile | null, holder: string): boolean {
    if (!current || current.released || current.holder === holder) return true;
    if (current.expiresAt <= this.now()) return true;
    return current.host === hostname() && !processAlive(current.pid);
  }

  async peek(key: string): Promise<LeaseState | null> {
    const current = await readLease(join(this.root, key));
    if (!current || this.free(current, '')) return null;
    const { holder, token, expiresAt, since } = current;
    return { holder, token, expiresAt, since };
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<Acquired> {
    const path = join(this.root, key);
    return this.locked(path, async () => {
      // Under the mutex no write of this lease is under way: a temp file is a killed writer's leftover.
      const base = basename(path);
      for (const name of await readdir(dirname(path))) if (name.startsWith(`${base}.tmp-`)) await rm(join(dirname(path), name), { force: true });
      const current = await readLease(path);
      if (!this.free(current, holder)) {
        const { holder: h, token, expiresAt, since } = current!;
        return { busy: { holder: h, token, expiresAt, since } };
      }
      const now = this.now();
      const token = String(Number(current?.token ?? 0) + 1);
      await this.write(path, { holder, token, expiresAt: now + ttlMs, since: now, pid: process.pid, host: hostname() });
      return { lease: this.held(key, path, holder, token, ttlMs) };
    });
  }

  private held(key: string, path: string, holder: string, token: string, ttlMs: number): HeldLease {
    const ours = (l: LeaseFile | null): l is LeaseFile => !!l && !l.released && l.token === token && l.holder === holder;
    const lost = (l: LeaseFile | null) =>
      new LeaseLostError(`lost the lease on ${key}: ${l ? `taken over by ${l.holder} (token ${l.token})` : 'it was removed'}; nothing was committed`);
    return {
      key,
      holder,
      token,
      renew: () =>
        this.locked(path, async () => {
          const current = await readLease(path);
          if (!ours(current)) throw lost(current);
          await this.write(path, { ...current, expiresAt: this.now() + ttlMs });
        }),
      fence: (commit) =>
        this.locked(path, async () => {
          const current = await readLease(path);
          if (!ours(current)) throw lost(current);
          return commit();
        }),
      release: () =>
        this.locked(path, async () => {
          const current = await readLease(path);
          if (ours(current)) await this.write(path, { ...current, released: true });
        }),
    };
  }
}
