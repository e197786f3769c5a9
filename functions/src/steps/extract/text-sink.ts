/**
 * A bounded hand-off of inflated text from the verifier to a second writer (the plain-text copy the
 * stage reads): the verifier pushes buffers as zlib produces them and waits on `ready()` before giving
 * zlib more input, so at most about `limit` bytes (plus what zlib is inflating) wait in memory.
 */
export class TextSink {
  private queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | null = null;
  /** The reader stopped (its write failed): what is pushed from then on is dropped. */
  private abandoned = false;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  constructor(private readonly limit = 16 * 1024 * 1024) {}

  /** Hand over a buffer of text (never blocks; see `ready`). */
  push(buf: Buffer): void {
    if (this.abandoned || this.ended) return;
    this.queue.push(buf);
    this.queued += buf.byteLength;
    this.wake('reader');
  }

  /** Resolves once the text waiting is under the limit, or nobody reads it any more. */
  ready(): Promise<void> {
    if (this.abandoned || this.queued < this.limit) return Promise.resolve();
    return new Promise((resolve) => (this.wakeWriter = resolve));
  }

  /** All the text was pushed. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  /** The text is not to be kept: the reader's iteration throws `err`. */
  fail(err: Error): void {
    this.failure ??= err;
    this.ended = true;
    this.wake('reader');
  }

  /** The reader gave up: drop what comes, and never hold the writer back. */
  abandon(): void {
    this.abandoned = true;
    this.queue = [];
    this.queued = 0;
    this.wake('writer');
  }

  private wake(who: 'reader' | 'writer'): void {
    const w = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = null;
    else this.wakeWriter = null;
    w?.();
  }

  /** The text, in order; throws the failure given to `fail`. */
  async *stream(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.queue.length) {
        const buffers = this.queue;
        this.queue = [];
        this.queued = 0;
        this.wake('writer');
        yield* buffers;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }
}
