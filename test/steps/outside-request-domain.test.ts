/**
 * A step's work runs outside the domain the functions framework opens for each request (see
 * outside-request-domain.ts): served by the real framework on loopback, the work sees no domain in its
 * first statement nor after an await, while the framework's own handler code still runs in one; and
 * an error the work throws is still answered by the handler in one line.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { BadSourceError } from '../../functions/src/domain/errors.js';
import { jsonHandler } from '../../functions/src/steps/http.js';

const hasDomain = () => Boolean((process as { domain?: unknown }).domain);

async function serveOne(name: string, run: (input: unknown) => Promise<unknown>): Promise<{ url: string; close: () => Promise<void> }> {
  const parser = { safeParse: (body: unknown) => ({ success: true as const, data: body }) };
  const handler = jsonHandler(name, parser, run, () => undefined);
  ff.http(name, (req, res) => {
    seenByFramework.push(hasDomain());
    return handler(req, res);
  });
  const server = getTestServer(name) as Server;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const seenByFramework: boolean[] = [];

async function post(url: string) {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('outside the request domain', () => {
  it('the work sees no domain, before and after an await; the framework handler does', async () => {
    const seen: boolean[] = [];
    const fn = await serveOne('domainless', async () => {
      seen.push(hasDomain());
      await new Promise((ok) => setTimeout(ok, 5));
      seen.push(hasDomain());
      await Promise.resolve();
      seen.push(hasDomain());
      return { ok: true };
    });
    try {
      expect(await post(fn.url)).toEqual({ status: 200, body: { ok: true } });
      expect(seen).toEqual([false, false, false]);
      // The framework (5.x) runs each request in a domain: the work above left it on purpose.
      expect(seenByFramework.at(-1)).toBe(true);
    } finally {
      await fn.close();
    }
  });

  it('an error thrown by the work, at once or after an await, is answered in one line', async () => {
    let calls = 0;
    const fn = await serveOne('failing', async () => {
      if (++calls === 1) throw new BadSourceError('first call refused');
      await new Promise((ok) => setTimeout(ok, 5));
      throw new BadSourceError('second call refused');
    });
    try {
      expect(await post(fn.url)).toEqual({ status: 422, body: { error: 'first call refused', kind: 'bad_source' } });
      expect(await post(fn.url)).toEqual({ status: 422, body: { error: 'second call refused', kind: 'bad_source' } });
    } finally {
      await fn.close();
    }
  });
});
