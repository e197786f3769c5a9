/**
 * A fresh fake GCS for each test of the calling suite, started before it and stopped after: the fake
 * keeps one namespace of object names for all buckets, so tests that reuse names need their own.
 * (Apart from fake-gcs.ts, which the memory probe imports outside vitest.)
 */
import { afterEach, beforeEach } from 'vitest';
import { FakeGcs } from './fake-gcs.js';

/** Register the hooks; the returned function gives the current test's fake. */
export function fakeGcsPerTest(): () => FakeGcs {
  let fake: FakeGcs | undefined;
  beforeEach(async () => {
    fake = await new FakeGcs(true).start();
  });
  afterEach(async () => {
    await fake?.stop();
  });
  return () => fake!;
}
