/**
 * The extract step: stream a release file from the source into the lake, verified on the way.
 */
import { dataset, type Taxi } from '../../domain/datasets.js';
import type { FileFormat } from '../../domain/file-formats.js';
import type { Month } from '../../domain/months.js';
import { isLoadOf, type LoadRecord } from '../../domain/load-record.js';
import { loadRecordKey, rawObjectKey } from '../../domain/naming.js';
import { matchSchema, type FileColumn, type SchemaContract } from '../../domain/schema-contract.js';
import { sourceFileUrl, type Source } from '../../domain/sources.js';
import { requireLoadable } from '../../domain/loadable.js';
import type { ObjectStore, StoredObject } from '../../ports/object-store.js';
import { openSource, RestartDownload, type RetryPolicy } from './source.js';
import type { VerifiedFile } from './verified-file.js';
import { verifyCsv } from './verify.js';
import { verifyParquet } from './verify-parquet.js';

/** The verifier of each file format: the only place extract tells formats apart. */
const VERIFIERS: Record<FileFormat, (body: AsyncIterable<Uint8Array>, expectedBytes: number | null, onColumns: (columns: FileColumn[]) => void) => VerifiedFile> = {
  csv: verifyCsv,
  parquet: verifyParquet,
};

export interface ExtractDeps {
  store: ObjectStore;
  source: Source;
  retry: RetryPolicy;
  /** What to do with a column no era of the dataset knows. */
  schemaContract: SchemaContract;
  /** Bytes received so far, and the total when the server said. */
  onProgress?: (event: { taxi: Taxi; month: Month; bytes: number; total: number | null }) => void;
  /** A retry about to happen: what went wrong, the attempt, the wait before it. */
  onRetry?: (event: { taxi: Taxi; month: Month; what: string; attempt: number; of: number; delayMs: number }) => void;
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
  /** Rows in the file (CSV data lines, or the Parquet footer's row count). */
  dataLines: number;
}

export interface ExtractResult {
  /** `unchanged`: the source's ETag matches the landed file, which is kept as it is. */
  status: 'extracted' | 'unchanged' | 'not_published';
  taxi: Taxi;
  month: Month;
  rawUri: string | null;
  object: RawObjectInfo | null;
  /** The tables' last load of the month when it was of exactly this object (a scheduled run skips it). */
  loaded: LoadRecord | null;
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
  requireLoadable(taxi, month);
  const ds = dataset(taxi);
  const format = deps.source.format;
  const url = sourceFileUrl(deps.source, taxi, month);
  const key = rawObjectKey(taxi, month, format);
  const existing = await deps.store.head(key);
  const retry: RetryPolicy = deps.onRetry
    ? {
        ...deps.retry,
        onRetry: (what, attempt, delayMs) => {
          deps.retry.onRetry?.(what, attempt, delayMs);
          deps.onRetry!({ taxi, month, what, attempt: attempt + 1, of: deps.retry.retries + 1, delayMs });
        },
      }
    : deps.retry;
  const loaded = async (o: StoredObject) => {
    const record = await deps.store.getRecord<LoadRecord>(loadRecordKey(taxi, month));
    return isLoadOf(record, o.meta) ? record : null;
  };
  for (let restart = 0; ; restart++) {
    const res = await openSource(url, retry, existing?.meta.etag);
    if (res.status === 'not_found') return { status: 'not_published', taxi, month, rawUri: null, object: null, loaded: null };
    if (res.status === 'not_modified' && existing) return { status: 'unchanged', taxi, month, rawUri: existing.uri, object: info(existing), loaded: await loaded(existing) };
    if (res.status !== 'ok') throw new Error(`unexpected source answer ${res.status}`);
    let columns: string[] = [];
    const body = deps.onProgress ? tap(res.body, (bytes) => deps.onProgress!({ taxi, month, bytes, total: res.contentLength })) : res.body;
    // The schema is checked inside the stream, before its last chunk: a file that breaks the contract
    // is never committed.
    const verified = VERIFIERS[format](body, res.contentLength, (fileColumns) => {
      columns = matchSchema(ds, month, fileColumns, deps.schemaContract)
        .bindings.filter((b) => b.source)
        .sort((a, b) => a.position! - b.position!)
        .map((b) => b.column.name);
    });
    try {
      const stored = await deps.store.put(key, verified.stream, () => {
        const facts = verified.facts();
        return {
          taxi,
          month,
          format,
          sourceUrl: url,
          etag: res.etag,
          bytes: facts.bytes,
          sha256: facts.sha256,
          dataLines: facts.rows,
          columns,
          fileColumns: facts.columns,
          extractedAt: new Date().toISOString(),
        };
      });
      return { status: 'extracted', taxi, month, rawUri: stored.uri, object: info(stored), loaded: await loaded(stored) };
    } catch (err) {
      if (err instanceof RestartDownload && restart < deps.retry.retries) {
        retry.onRetry?.(err.message, restart + 1, 0);
        continue;
      }
      throw err;
    }
  }
}
