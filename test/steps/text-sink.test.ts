/**
 * The hand-off of inflated text to its second writer: in order, bounded (the writer waits once the
 * limit is queued), and a failure or an abandoned reader never leaves either side waiting.
 */
import { describe, expect, it } from 'vitest';
import { TextSink } from '../../functions/src/steps/extract/text-sink.js';

async function readAll(it: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of it) out += Buffer.from(c).toString();
  return out;
}

describe('TextSink', () => {
  it('hands the buffers over in order and ends', async () => {
    const sink = new TextSink(4);
    const reading = readAll(sink.stream());
    for (const s of ['ab', 'cd', 'ef']) {
      await sink.ready();
      sink.push(Buffer.from(s));
    }
    sink.end();
    expect(await reading).toBe('abcdef');
  });

  it('holds the writer back once the limit is queued, until the reader takes it', async () => {
    const sink = new TextSink(4);
    sink.push(Buffer.from('abcd'));
    let ready = false;
    const waiting = sink.ready().then(() => (ready = true));
    await new Promise((ok) => setTimeout(ok, 10));
    expect(ready).toBe(false);
    const it = sink.stream()[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value!).toString()).toBe('abcd');
    await waiting;
    expect(ready).toBe(true);
  });

  it('a failure reaches the reader; an abandoned reader releases the writer and drops what follows', async () => {
    const failed = new TextSink(4);
    failed.push(Buffer.from('ab'));
    failed.fail(new Error('not a complete gzip stream'));
    await expect(readAll(failed.stream())).rejects.toThrow('not a complete gzip stream');

    const left = new TextSink(4);
    left.push(Buffer.from('abcdef'));
    const waiting = left.ready();
    left.abandon();
    await waiting;
    left.push(Buffer.from('more'));
    await left.ready();
    left.end();
    expect(await readAll(left.stream())).toBe('');
  });
});
