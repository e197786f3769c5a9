/**
 * `backfill --target gcp` against a loopback Workflow Executions REST API: the execution is created
 * with the backfill argument, followed until it ends, and its result (or its error) comes back.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeployedBackfill } from '../../functions/src/cli/gcp-backfill.js';
import type { BackfillResult } from '../../functions/src/local/run-month.js';

const RESULT: BackfillResult = {
  results: [{ taxi: 'green', month: '2020-10', status: 'failed', error: 'extract: boom' }],
  totals: { months: 1, succeeded: 0, already_loaded: 0, not_published: 0, failed: 1, rowsInFile: 0, rowsLoaded: 0, rowsQuarantined: 0 },
};

const fakeAuth = {
  universeDomain: 'googleapis.com',
  getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-token' }),
  getAccessToken: async () => ({ token: 'fake-token' }),
  getRequestMetadataAsync: async () => ({ headers: new Headers({ authorization: 'Bearer fake-token' }) }),
  request: async () => {
    throw new Error('no requests from the fake auth client');
  },
  // The REST transport sends its calls through the auth client.
  fetch: (url: string, init: RequestInit) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: 'Bearer fake-token' } }),
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function fakeExecutions(final: Record<string, unknown>) {
  const requests: { method: string; url: string; body: string }[] = [];
  let gets = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, body });
      res.setHeader('content-type', 'application/json');
      const name = 'projects/p-1/locations/europe-west1/workflows/backfill/executions/e1';
      if (req.method === 'POST') res.end(JSON.stringify({ name, state: 'ACTIVE' }));
      else res.end(JSON.stringify(++gets < 2 ? { name, state: 'ACTIVE' } : { name, ...final }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => new Promise<void>((r) => server.close(() => r()));
  const port = (server.address() as AddressInfo).port;
  return { requests, options: { fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port, authClient: fakeAuth } as never };
}

describe('backfill --target gcp', () => {
  it('creates the execution with the argument and returns its result once it succeeds', async () => {
    const fake = await fakeExecutions({ state: 'SUCCEEDED', result: JSON.stringify(RESULT) });
    const args = { taxi: 'all' as const, from: '2019-01', to: '2019-03', concurrency: 2 };
    const said: string[] = [];
    const result = await runDeployedBackfill({ project: 'p-1', location: 'europe-west1', workflow: 'backfill' }, args, false, fake.options, 1, (l) => said.push(l));
    expect(result).toEqual(RESULT);
    expect(said).toEqual(['started projects/p-1/locations/europe-west1/workflows/backfill/executions/e1\n']);
    const post = fake.requests.find((r) => r.method === 'POST')!;
    expect(post.url).toMatch(/^\/v1\/projects\/p-1\/locations\/europe-west1\/workflows\/backfill\/executions/);
    expect(JSON.parse(JSON.parse(post.body).argument)).toEqual(args);
    expect(fake.requests.filter((r) => r.method === 'GET').length).toBe(2);
  });

  it('a failed execution is an error with the workflow message', async () => {
    const fake = await fakeExecutions({ state: 'FAILED', error: { payload: JSON.stringify({ message: 'invalid argument: to is before from' }) } });
    await expect(
      runDeployedBackfill({ project: 'p-1', location: 'europe-west1', workflow: 'backfill' }, { taxi: 'green', from: '2019-01', to: '2019-01', concurrency: 1 }, false, fake.options, 1, () => {}),
    ).rejects.toThrow(/ended FAILED: invalid argument: to is before from/);
  });
});
