/**
 * The benchmark's release host: the project's loopback file server (dist/local/file-server.js) in a
 * process of its own, as the TLC's CDN is another machine. In the benchmark's own process it shared a
 * heap with the generated months and the harness, and that heap's garbage collections, set off by the
 * server's 1 MiB read buffers, ran on one of the two cores during the measured downloads (profiled: up
 * to 220 ms of collector time inside a 420 ms Parquet extract).
 *
 * Prints `@@url <base URL>`, then reads JSON lines `["/url/path", "/file/on/disk"]` on stdin, publishes
 * each and answers `@@published <path>`. Closes when stdin ends.
 */
import { createInterface } from 'node:readline';
const { serveFiles } = await import('../../dist/local/file-server.js');

const published = new Map();
const server = await serveFiles(published);
process.stdout.write(`@@url ${server.url}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [path, file] = JSON.parse(line);
  published.set(path, file);
  process.stdout.write(`@@published ${path}\n`);
});
lines.on('close', () => void server.close());
