/**
 * The lake's batched file writer: every chunk in order and at its place (two writes are in flight at
 * once, each at its own offset), and a body that fails mid-way rejects with its own error once the
 * writes in flight have settled (nothing written after the call returns).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_BYTES, writeBody } from '../../../functions/src/adapters/local-fs/write-body.js';
import { tempDir } from '../../helpers/files.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('writeBody', () => {
  it('writes 64 KiB chunks and a body of 1-byte chunks in order', async () => {
    const big = Array.from({ length: 100 }, (_, i) => Buffer.alloc(65_536, i));
    const tiny = Array.from({ length: 5_000 }, (_, i) => Buffer.from([i % 256]));
    for (const [name, parts] of [['big', big], ['tiny', tiny]] as const) {
      const path = join(tmp.dir, name);
      await writeBody(
        path,
        (async function* () {
          yield* parts;
        })(),
      );
      expect(readFileSync(path).equals(Buffer.concat(parts)), name).toBe(true);
    }
  });

  it('chunks of uneven sizes, some larger than a batch, land each at its offset', async () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const parts = Array.from({ length: 60 }, (_, i) => {
      const size = [1, 3_000, 65_536, BATCH_BYTES - 1, BATCH_BYTES + 17, 2 * BATCH_BYTES][next() % 6]!;
      const b = Buffer.alloc(size);
      for (let j = 0; j < size; j += 4_093) b[j] = (i * 31 + j) % 251;
      return b;
    });
    const path = join(tmp.dir, 'uneven');
    await writeBody(
      path,
      (async function* () {
        for (const p of parts) {
          yield p;
          // Now and then the body pauses, so writes settle in other orders than they started.
          if (next() % 5 === 0) await new Promise((ok) => setImmediate(ok));
        }
      })(),
    );
    expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
  });

  it("a body failing after several batches rejects with its error, and the file holds a prefix of what came", async () => {
    const path = join(tmp.dir, 'broken');
    const chunk = Buffer.alloc(65_536, 7);
    let sent = 0;
    const body = (async function* () {
      for (;;) {
        if (sent >= 3 * BATCH_BYTES) throw new Error('source broke');
        sent += chunk.length;
        yield chunk;
      }
    })();
    await expect(writeBody(path, body)).rejects.toThrow('source broke');
    const size = statSync(path).size;
    // Written batches only: nothing lands after the call returned.
    await new Promise((ok) => setTimeout(ok, 50));
    expect(statSync(path).size).toBe(size);
    expect(size).toBeLessThanOrEqual(sent);
    expect(size).toBeGreaterThanOrEqual(2 * BATCH_BYTES);
  });

  it('a file that cannot be opened rejects with the error and reads no chunk', async () => {
    let read = false;
    const body = (async function* () {
      read = true;
      yield Buffer.from('x');
    })();
    // Its folder would be a file.
    writeFileSync(join(tmp.dir, 'a-file'), 'x');
    await expect(writeBody(join(tmp.dir, 'a-file', 'f'), body)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(read).toBe(false);
  });

  it('makes its folder again when it is gone (the lake removed it, empty, a moment before)', async () => {
    const path = join(tmp.dir, 'pruned', 'year', 'f');
    await writeBody(path, (async function* () {
      yield Buffer.from('text');
    })());
    expect(readFileSync(path, 'utf8')).toBe('text');
  });
});
