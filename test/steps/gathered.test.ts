/**
 * A download read in large pieces: the real month's bytes over a loopback HTTP server and undici, as the
 * extract step reads them. Every byte arrives once and in order; a dropped connection hands on what came
 * before it and then fails (so a resume starts after it); a body that failed before anyone read it fails
 * instead of waiting; a reader that stops early releases the connection.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { gathered } from '../../functions/src/steps/extract/gathered.js';

const REAL = readFileSync(join(__dirname, '..', 'fixtures', 'green_tripdata_2020-10.csv.gz'));

let server: Server | undefined;
afterEach(() => new Promise<void>((ok) => (server ? (server.closeAllConnections(), server.close(() => ok())) : ok())));

async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(answer);
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Read every piece; the pieces, and the error when the body failed. */
async function readPieces(body: AsyncIterable<Uint8Array>): Promise<{ pieces: Uint8Array[]; error: Error | null }> {
  const pieces: Uint8Array[] = [];
  try {
    for await (const p of body) pieces.push(p);
    return { pieces, error: null };
  } catch (err) {
    return { pieces, error: err as Error };
  }
}

describe('gathered', () => {
  it('hands on every byte of the file in order, in pieces of at least the minimum but the last', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': REAL.length });
      // Socket-sized writes, as a server sends a file.
      for (let at = 0; at < REAL.length; at += 16 * 1024) res.write(REAL.subarray(at, at + 16 * 1024));
      res.end();
    });
    const res = await request(url);
    const { pieces, error } = await readPieces(gathered(res.body, 256 * 1024));
    expect(error).toBeNull();
    expect(Buffer.concat(pieces).equals(REAL)).toBe(true);
    for (const p of pieces.slice(0, -1)) expect(p.byteLength).toBeGreaterThanOrEqual(256 * 1024);
    expect(pieces.length).toBeLessThan(REAL.length / (64 * 1024));
  });

  it('a connection dropped mid-file: the bytes before the drop are handed on, then the error', async () => {
    const half = 700_000;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': REAL.length });
      res.write(REAL.subarray(0, half), () => setTimeout(() => res.destroy(), 20));
    });
    const res = await request(url);
    const { pieces, error } = await readPieces(gathered(res.body, 256 * 1024));
    expect(error?.message).toMatch(/closed|terminated|premature/i);
    const got = Buffer.concat(pieces);
    expect(got.length).toBe(half);
    expect(got.equals(REAL.subarray(0, half))).toBe(true);
  });

  it('a body that failed before it was read fails at once instead of waiting', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': REAL.length });
      res.write(REAL.subarray(0, 1000), () => res.destroy());
    });
    const res = await request(url);
    await new Promise<void>((ok) => res.body.once('close', () => ok()));
    const { error } = await readPieces(gathered(res.body));
    expect(error).not.toBeNull();
  });

  it('a reader that stops early destroys the body, releasing the connection', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': REAL.length });
      res.end(REAL);
    });
    const res = await request(url);
    for await (const piece of gathered(res.body, 64 * 1024)) {
      expect(piece.byteLength).toBeGreaterThan(0);
      break;
    }
    expect(res.body.destroyed).toBe(true);
  });
});
