/**
 * Ownership of one (taxi, month) by one workflow execution at a time. Cloud Scheduler delivers at least
 * once and a timed-out function keeps running while the workflow retries, so two replacements of one
 * month must never overlap, and a dead holder must never block the month for long.
 *
 * - The holder is the workflow execution's id: a step retried within the same execution takes its own
 *   lease again at once.
 * - Leases are short (about a minute) and renewed by a heartbeat while the step works; renewal is a
 *   compare-and-swap, so a holder that lost its lease learns it. A holder that stops renewing is taken
 *   over after the TTL (locally at once when its process is gone).
 * - Every acquisition gets a fencing token that only grows; `fence` runs a commit only while the lease
 *   is still held with the token it was acquired with, so a zombie finishing late cannot overwrite a
 *   newer run's month.
 *
 * Implementations: `adapters/local-fs` (files, changed under a mutex directory) and `adapters/gcs`
 * (objects with generation and metageneration preconditions).
 */

/** A lease as the store holds it. */
export interface LeaseState {
  holder: string;
  /** Fencing token of this acquisition; grows with every acquisition of the key. */
  token: string;
  /** Epoch ms after which the lease counts as abandoned unless renewed. */
  expiresAt: number;
  /** Epoch ms of this acquisition. */
  since: number;
}

/** A held lease; release it in a `finally`. */
export interface HeldLease {
  readonly key: string;
  readonly holder: string;
  readonly token: string;
  /**
   * Extend the lease by its TTL, if it is still ours with our token (compare-and-swap).
   * @throws LeaseLostError when it was taken over
   */
  renew(): Promise<void>;
  /**
   * Run `commit` only while the lease is still ours with our token: atomically with the check where the
   * store can (locally, under the same mutex every takeover needs), otherwise right after it.
   * @throws LeaseLostError without running `commit` when it was taken over
   */
  fence<T>(commit: () => Promise<T>): Promise<T>;
  /** Give the lease up (only if still ours). */
  release(): Promise<void>;
}

/** The outcome of an acquisition: the lease, or who holds it now. */
export type Acquired = { lease: HeldLease; busy?: undefined } | { lease?: undefined; busy: LeaseState };

export interface LeaseStore {
  /**
   * Take the lease at `key` for `holder`: free, released, expired, left by a dead process, or already
   * held by the same holder (a retried step) — or answer who holds it.
   */
  acquire(key: string, holder: string, ttlMs: number): Promise<Acquired>;
  /** Who holds the lease at `key` now (a live, unexpired holder), or null when it is free. */
  peek(key: string): Promise<LeaseState | null>;
}
