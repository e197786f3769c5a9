/**
 * The streaming verifier: line counts across chunk boundaries, gzip checks.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { verifyGzipCsv } from '../../functions/src/steps/extract/verify.js';

async function drain(bytes: Buffer, chunk: number) {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const headers: string[] = [];
  const v = verifyGzipCsv(chunks(), (h) => headers.push(h));
  const out: Buffer[] = [];
  for await (const c of v.stream) out.push(Buffer.from(c));
  return { facts: v.facts(), headers, out: Buffer.concat(out) };
}

describe('verifyGzipCsv', () => {
  it.each([
    ['LF', 'a,b\n1,2\n3,4\n', 2],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n', 2],
    ['no final newline', 'a,b\n1,2\n3,4', 2],
    ['blank lines are not data', 'a,b\n1,2\n\n\r\n3,4\n\n', 2],
    ['header only', 'a,b\n', 0],
  ])('%s: counts data lines, whatever the chunk size', async (_n, text, lines) => {
    const gz = gzipSync(text);
    for (const size of [1, 2, 3, 7, 64, 1 << 16]) {
      const { facts, headers, out } = await drain(gz, size);
      expect(facts.dataLines).toBe(lines);
      expect(headers).toEqual(['a,b']);
      expect(out.equals(gz)).toBe(true);
      expect(facts.bytes).toBe(gz.length);
    }
  });

  it('passes bytes through and hashes them', async () => {
    const gz = gzipSync('h\nx\n');
    const { facts } = await drain(gz, 3);
    const { createHash } = await import('node:crypto');
    expect(facts.sha256).toBe(createHash('sha256').update(gz).digest('hex'));
  });

  it.each([
    ['not gzip', Buffer.from('VendorID,x\n1,2\n'), /not a gzip file: it starts with bytes starting "VendorID,x\\n1,2\\n"/],
    ['html', Buffer.from('<html><body>404</body></html>'), /not a gzip file: it starts with an HTML\/XML page/],
    ['truncated', gzipSync('a,b\n'.repeat(1000)).subarray(0, 30), /not a complete gzip stream/],
    ['empty', Buffer.alloc(0), /the source file is empty/],
    ['no header line in 64 KiB', gzipSync('x'.repeat(70_000)), /no header line in the first 65536 bytes/],
  ])('rejects %s', async (_n, bytes, message) => {
    await expect(drain(bytes, 1024)).rejects.toThrow(message);
  });

  it('stops at a header the callback rejects, before the end', async () => {
    const { randomBytes } = await import('node:crypto');
    const gz = gzipSync(`bad,header\n${randomBytes(8_000_000).toString('hex')}\n`);
    async function* chunks() {
      for (let i = 0; i < gz.length; i += 16_384) yield gz.subarray(i, i + 16_384);
    }
    let seen = 0;
    const v = verifyGzipCsv(chunks(), () => {
      throw new Error('drift');
    });
    await expect(
      (async () => {
        for await (const c of v.stream) seen += c.length;
      })(),
    ).rejects.toThrow('drift');
    expect(seen).toBeLessThan(gz.length / 2);
  });
});
