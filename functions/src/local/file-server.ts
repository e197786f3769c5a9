/**
 * A loopback HTTP server that publishes release files the way the release host does: ETag,
 * Accept-Ranges, Range requests and 404 for months not published. Used by the demo, the tests and
 * the benchmarks, so the real download code path runs offline.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** URL path (e.g. `/green/green_tripdata_2020-10.csv.gz`) → file on disk. */
export type Published = Map<string, string>;

/** Hook to alter an answer (fault injection in tests); return true when it answered itself. */
export type Intercept = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface FileServer {
  /** Base URL to pass as the source (`--source`). */
  url: string;
  server: Server;
  requests: { method: string; path: string; range?: string }[];
  close(): Promise<void>;
}

/** Serve `files` on 127.0.0.1:`port` (0 picks one). */
export async function serveFiles(files: Published, intercept?: Intercept, port = 0): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (intercept && (await intercept(req, res))) return;
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const { size, mtimeMs } = statSync(file);
    const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === etag)) {
      const start = Number(range[1]);
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-length': size - start,
        'content-range': `bytes ${start}-${size - 1}/${size}`,
        'accept-ranges': 'bytes',
        etag,
      });
      createReadStream(file, { start, highWaterMark: 1 << 20 }).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'accept-ranges': 'bytes', etag });
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
