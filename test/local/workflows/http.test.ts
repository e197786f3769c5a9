import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, run } from './helpers.js';

/** Loopback server: routes by path; counts hits and in-flight requests. */
let server: Server;
let base = '';
const hits = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;
let lastRequest: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const n = hits.get(url.pathname) as number;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      lastRequest = { method: req.method, url: req.url, headers: req.headers, body };
      switch (url.pathname) {
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, n: 3, ratio: 0.5 }));
          return;
        case '/echo':
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, query: url.search, body: body ? JSON.parse(body) : null }));
          return;
        case '/text':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
          return;
        case '/missing':
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'nope' }));
          return;
        case '/flaky503':
          if (n < 3) res.writeHead(503).end('busy');
          else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ attempt: n }));
          return;
        case '/fail500':
          res.writeHead(500).end('boom');
          return;
        case '/slow':
          setTimeout(() => res.writeHead(200).end('late'), 1500);
          return;
        case '/work':
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          setTimeout(() => {
            inFlight--;
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: Number(url.searchParams.get('v')) }));
          }, 20);
          return;
        default:
          res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits.clear();
  lastRequest = undefined;
});

describe('http calls against a loopback server', () => {
  it('GET parses JSON bodies and returns code/headers/body', async () => {
    const r = (await run(`
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args:
          url: \${args.base + "/json"}
        result: resp
    - r:
        return: \${[resp.code, resp.body.ok, resp.body.n + 1, get_type(resp.body.ratio), resp.headers["content-type"]]}
`, { args: { base } })) as unknown[];
    expect(r).toEqual([200, true, 4, 'double', 'application/json']);
  });

  it('POST sends JSON bodies and query parameters; auth is accepted', async () => {
    const r = await run(`
main:
  params: [args]
  steps:
    - post:
        call: http.post
        args:
          url: \${args.base + "/echo"}
          query:
            month: "2020-10"
            tag: [a, b]
          body:
            rows: 3
            list: [1, 2]
          auth:
            type: OIDC
        result: resp
    - r:
        return: \${resp}
`, { args: { base } });
    expect(r).toMatchObject({ code: 201, body: { method: 'POST', query: '?month=2020-10&tag=a&tag=b', body: { rows: 3, list: [1, 2] } } });
    expect(lastRequest?.headers['content-type']).toBe('application/json');
  });

  it('http.request with method and text responses', async () => {
    const r = await run(`
main:
  params: [args]
  steps:
    - req:
        call: http.request
        args:
          method: PUT
          url: \${args.base + "/text"}
          headers:
            Content-Type: text/plain
          body: "raw text"
        result: resp
    - r:
        return: \${resp.body}
`, { args: { base } });
    expect(r).toBe('plain');
    expect(lastRequest).toMatchObject({ method: 'PUT', body: 'raw text' });
  });

  it('404 raises an HttpError map with code, headers and body, catchable in except', async () => {
    const r = await run(`
main:
  params: [args]
  steps:
    - t:
        try:
          call: http.get
          args:
            url: \${args.base + "/missing"}
        except:
          as: e
          steps:
            - r:
                return: \${e}
`, { args: { base } });
    expect(r).toMatchObject({
      code: 404,
      tags: ['HttpError'],
      body: { error: 'nope' },
      headers: { 'content-type': 'application/json' },
    });
    expect((r as { message: string }).message).toMatch(/404/);
  });

  it('retries 503 with http.default_retry and succeeds', async () => {
    const delays: number[] = [];
    const r = await run(`
main:
  params: [args]
  steps:
    - t:
        try:
          call: http.get
          args:
            url: \${args.base + "/flaky503"}
          result: resp
        retry: \${http.default_retry}
    - r:
        return: \${resp.body.attempt}
`, { args: { base }, sleep: async (ms) => void delays.push(ms) });
    expect(r).toBe(3);
    expect(hits.get('/flaky503')).toBe(3);
    expect(delays).toEqual([1000, 1250]);
  });

  it('does not retry 500 with the default predicate', async () => {
    const err = await errorOf(
      run(`
main:
  params: [args]
  steps:
    - t:
        try:
          call: http.get
          args:
            url: \${args.base + "/fail500"}
        retry:
          predicate: \${http.default_retry_predicate}
          max_retries: 3
          backoff: {initial_delay: 1, max_delay: 1, multiplier: 1}
`, { args: { base } }),
    );
    expect(err.tags).toEqual(['HttpError']);
    expect((err.value as { code: number; body: string }).code).toBe(500);
    expect((err.value as { body: string }).body).toBe('boom');
    expect(hits.get('/fail500')).toBe(1);
  });

  it('connection failures raise ConnectionError and timeouts raise TimeoutError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const conn = await errorOf(run(`- g:\n    call: http.get\n    args:\n      url: http://127.0.0.1:${port}/\n`));
    expect(conn.tags).toEqual(['ConnectionError']);
    const slow = await errorOf(run(`- g:\n    call: http.get\n    args:\n      url: ${base}/slow\n      timeout: 0.2\n`));
    expect(slow.tags).toEqual(['TimeoutError']);
  });

  it('parallel for with concurrency_limit caps in-flight requests', async () => {
    maxInFlight = 0;
    const r = await run(`
main:
  params: [args]
  steps:
    - init:
        assign:
          - sum: 0
    - p:
        parallel:
          shared: [sum]
          concurrency_limit: 2
          for:
            value: v
            range: [1, 6]
            steps:
              - get:
                  call: http.get
                  args:
                    url: \${args.base + "/work"}
                    query:
                      v: \${v}
                  result: resp
              - add:
                  assign:
                    - sum: \${sum + resp.body.v}
    - r:
        return: \${sum}
`, { args: { base } });
    expect(r).toBe(21);
    expect(maxInFlight).toBe(2);
  });
});
