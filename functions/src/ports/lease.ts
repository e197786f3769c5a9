/**
 * Mutual exclusion per (taxi, month) across executions: Cloud Scheduler delivers at least once and a
 * timed-out call keeps running while the caller retries, so two replacements of one month must not
 * overlap. Implementations: `adapters/local-fs` (exclusive file create) and `adapters/gcs`
 * (object create with `ifGenerationMatch: 0`).
 */

/** A held lease; release it in a `finally`. */
export interface HeldLease {
  readonly key: string;
  release(): Promise<void>;
}

export interface LeaseStore {
  /**
   * Take the lease at `key`, or return null when another holder has it and it is not older than
   * `ttlMs` (a stale lease is broken and taken over).
   */
  acquire(key: string, holder: string, ttlMs: number): Promise<HeldLease | null>;
}
