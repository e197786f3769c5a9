/**
 * Running a request's work outside the `domain` the functions framework opens for each request.
 *
 * The framework (5.x, `wrapHttpFunction`) runs every HTTP function inside `domain.create().run(...)`, to
 * turn an exception thrown from a callback into a crash response. While a domain is active, Node's
 * domain hook stamps every promise and callback created with a `domain` property and enters and leaves
 * the domain around each callback. A download is thousands of chunks, each several promises: profiled,
 * that bookkeeping took about 50 ms of a 72 MB Parquet extract's 250 ms on the main thread.
 *
 * The handlers do not need it: `jsonHandler` awaits the work and answers every error it throws itself,
 * so nothing the domain would catch is left to it.
 */
import type { Domain } from 'node:domain';

/** Start `work` with no domain active, so its promises and callbacks carry none; the caller's is restored. */
export function outsideRequestDomain<T>(work: () => Promise<T>): Promise<T> {
  const active = (process as { domain?: Domain | null }).domain;
  if (!active) return work();
  active.exit();
  try {
    return work();
  } finally {
    // The framework's code after the handler runs in its domain as before.
    active.enter();
  }
}
