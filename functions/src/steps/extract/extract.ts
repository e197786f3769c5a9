/**
 * The extract step: stream a release file from the source into the lake, verified on the way.
 */
import { dataset, type Taxi } from '../../domain/datasets.js';
import { mapHeader } from '../../domain/header.js';
import type { Month } from '../../domain/months.js';
import { rawObjectKey, releaseUrl } from '../../domain/naming.js';
import type { ObjectStore, StoredObject } from '../../ports/object-store.js';
import { openSource, RestartDownload, type RetryPolicy } from './source.js';
import { verifyGzipCsv } from './verify.js';

export interface ExtractDeps {
  store: ObjectStore;
  sourceUrl: string;
  retry: RetryPolicy;
  /** Compressed bytes received so far, and the total when the server said. */
  onProgress?: (event: { taxi: Taxi; month: Month; bytes: number; total: number | null }) => void;
}

/** The landed object as the workflow sees it. */
export interface RawObjectInfo {
  key: string;
  uri: string;
  generation: string;
  sourceUrl: string;
  etag: string | null;
  bytes: number;
  sha256: string;
  dataLines: number;
}

export interface ExtractResult {
  /** `unchanged`: the source's ETag matches the landed file, which is kept as it is. */
  status: 'extracted' | 'unchanged' | 'not_published';
  taxi: Taxi;
  month: Month;
  rawUri: string | null;
  object: RawObjectInfo | null;
}

function info(o: StoredObject): RawObjectInfo {
  const { sourceUrl, etag, bytes, sha256, dataLines } = o.meta;
  return { key: o.key, uri: o.uri, generation: o.generation, sourceUrl, etag, bytes, sha256, dataLines };
}

async function* tap(body: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.byteLength;
    onBytes(n);
    yield chunk;
  }
}

/** Download `taxi`/`month` into the lake, or report that it is not published. */
export async function extract(deps: ExtractDeps, taxi: Taxi, month: Month): Promise<ExtractResult> {
  const ds = dataset(taxi);
  const url = releaseUrl(deps.sourceUrl, taxi, month);
  const key = rawObjectKey(taxi, month);
  const existing = await deps.store.head(key);
  for (let restart = 0; ; restart++) {
    const res = await openSource(url, deps.retry, existing?.meta.etag);
    if (res.status === 'not_found') return { status: 'not_published', taxi, month, rawUri: null, object: null };
    if (res.status === 'not_modified' && existing) return { status: 'unchanged', taxi, month, rawUri: existing.uri, object: info(existing) };
    if (res.status !== 'ok') throw new Error(`unexpected source answer ${res.status}`);
    let columns: string[] = [];
    const body = deps.onProgress ? tap(res.body, (bytes) => deps.onProgress!({ taxi, month, bytes, total: res.contentLength })) : res.body;
    const verified = verifyGzipCsv(body, (header) => {
      columns = mapHeader(ds, header);
    });
    try {
      const stored = await deps.store.put(key, verified.stream, () => {
        const facts = verified.facts();
        return {
          taxi,
          month,
          sourceUrl: url,
          etag: res.etag,
          bytes: facts.bytes,
          sha256: facts.sha256,
          dataLines: facts.dataLines,
          columns,
          extractedAt: new Date().toISOString(),
        };
      });
      return { status: 'extracted', taxi, month, rawUri: stored.uri, object: info(stored) };
    } catch (err) {
      if (err instanceof RestartDownload && restart < deps.retry.retries) {
        deps.retry.onRetry?.(err.message, restart + 1, 0);
        continue;
      }
      throw err;
    }
  }
}
