/**
 * Memory probe, run in its own `node --expose-gc` process by memory.test.ts: extract a generated
 * 500k-row gzip file from a loopback source into the fake GCS (bodies not kept) and print the heap
 * figures as JSON on the last line of stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { GcsObjectStore } from '../../../functions/src/adapters/gcs/object-store.js';
import { dataset } from '../../../functions/src/domain/datasets.js';
import { extract } from '../../../functions/src/steps/extract/extract.js';
import { resolveSource } from '../../../functions/src/domain/sources.js';
import { FakeGcs } from './fake-gcs.js';

const ROWS = Number(process.env.PROBE_ROWS ?? 500_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function* lines(): Generator<string> {
  yield `${dataset('green').columns.map((c) => c.name).join(',')}\n`;
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let batch = '';
  for (let i = 0; i < ROWS; i++) {
    const day = String(1 + (i % 30)).padStart(2, '0');
    const t = `2020-10-${day} ${String(Math.floor(rnd() * 24)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}`;
    batch += `2,${t},${t},N,1,${Math.floor(rnd() * 265)},${Math.floor(rnd() * 265)},1,${(rnd() * 20).toFixed(2)},${(rnd() * 60).toFixed(2)},0.5,0.5,${(rnd() * 9).toFixed(2)},0,,0.3,${(rnd() * 80).toFixed(2)},1,1,2.75\n`;
    if (batch.length > 64 * 1024) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

const source = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/gzip', etag: '"probe"' });
  void pipeline(Readable.from(lines()), createGzip(), res).catch(() => undefined);
});
await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
const gcs = await new FakeGcs(false).start();
const store = new GcsObjectStore(gcs.storage(), 'lake');

gc();
const baseline = process.memoryUsage().heapUsed;
let peak = baseline;
let peakAfterGc = baseline;
// heapUsed every 50 ms (garbage included: what the process really holds), and the live heap after a
// forced GC every 500 ms (what the pipeline retains).
let ticks = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  if (++ticks % 10 === 0) {
    gc();
    peakAfterGc = Math.max(peakAfterGc, process.memoryUsage().heapUsed);
  }
}, 50);
const started = Date.now();
const result = await extract(
  { store, source: resolveSource(`http://127.0.0.1:${(source.address() as AddressInfo).port}`), schemaContract: 'freeze', retry: { retries: 0, baseMs: 0 } },
  'green',
  '2020-10',
);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().heapUsed);
const MB = 1024 * 1024;
console.log(
  JSON.stringify({
    rows: ROWS,
    status: result.status,
    dataLines: result.object?.dataLines,
    compressedBytes: result.object?.bytes,
    uploadedBytes: gcs.objects.get('raw/green/2020/green_tripdata_2020-10.csv.gz')?.size,
    resumable: gcs.requests.some((r) => r.query.uploadType === 'resumable' && r.query.ifGenerationMatch === '0'),
    baselineMB: +(baseline / MB).toFixed(1),
    peakGrowthMB: +((peak - baseline) / MB).toFixed(1),
    liveGrowthMB: +((peakAfterGc - baseline) / MB).toFixed(1),
    seconds: (Date.now() - started) / 1000,
  }),
);
await gcs.stop();
source.closeAllConnections();
source.close();
