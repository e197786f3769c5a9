/**
 * The extract step: stream a release file from the source into the lake, verified on the way.
 */
import { dataset, type Taxi } from '../../domain/datasets.js';
import { MAX_COMPRESSED_LINE_BYTES, type FileFormat } from '../../domain/file-formats.js';
import type { Month } from '../../domain/months.js';
import type { LoadRecord } from '../../domain/load-record.js';
import { plainTextKey, rawObjectKey } from '../../domain/naming.js';
import { matchSchema, type FileColumn, type SchemaContract } from '../../domain/schema-contract.js';
import { sourceFileUrl, type Source } from '../../domain/sources.js';
import { requireLoadable } from '../../domain/loadable.js';
import { BadRequestError } from '../../domain/errors.js';
import type { ObjectStore, StoredObject } from '../../ports/object-store.js';
import { loadOf } from '../month-job.js';
import { openSource, RestartDownload, type RetryPolicy } from './source.js';
import { TextSink } from './text-sink.js';
import type { VerifiedFile } from './verified-file.js';
import { verifyCsv } from './verify.js';
import { verifyParquet } from './verify-parquet.js';

/**
 * The verifier of each file format: the only place extract tells formats apart. A verifier that
 * inflates the file hands its text to `text` when given one.
 */
const VERIFIERS: Record<FileFormat, (body: AsyncIterable<Uint8Array>, expectedBytes: number | null, onColumns: (columns: FileColumn[]) => void, text?: TextSink) => VerifiedFile> = {
  csv: verifyCsv,
  parquet: verifyParquet,
};

export interface ExtractDeps {
  store: ObjectStore;
  source: Source;
  retry: RetryPolicy;
  /** What to do with a column no era of the dataset knows. */
  schemaContract: SchemaContract;
  /**
   * Keep the inflated text of a compressed file of at most this many data lines beside the lake's raw
   * object (`plainTextKey`), for a warehouse that stages from it; 0 or absent: never. Set by the wiring
   * from the warehouse (`Warehouse.plainTextLines`).
   */
  plainTextLines?: number;
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

export function info(o: StoredObject): RawObjectInfo {
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

/**
 * Land `body` (a month's file in `format`) at its raw key, verified on the way: the format's checks
 * and the schema contract, inside the stream, before its last chunk, so a refused file is never
 * committed. `origin` is where the bytes came from, as the metadata records it.
 */
export async function landVerified(
  deps: Pick<ExtractDeps, 'store' | 'schemaContract' | 'plainTextLines'>,
  taxi: Taxi,
  month: Month,
  format: FileFormat,
  body: AsyncIterable<Uint8Array>,
  expectedBytes: number | null,
  origin: { sourceUrl: string; etag: string | null },
): Promise<StoredObject> {
  const ds = dataset(taxi);
  let columns: string[] = [];
  const maxLines = deps.plainTextLines ?? 0;
  // A file this large surely has more lines than the warehouse reads from text: no text is written.
  const fits = maxLines > 0 && (expectedBytes === null || expectedBytes / MAX_COMPRESSED_LINE_BYTES <= maxLines);
  const textKey = fits ? plainTextKey(taxi, month, format) : null;
  const text = textKey ? new TextSink() : undefined;
  const verified = VERIFIERS[format](
    body,
    expectedBytes,
    (fileColumns) => {
      columns = matchSchema(ds, month, fileColumns, deps.schemaContract)
        .bindings.filter((b) => b.source)
        .sort((a, b) => a.position! - b.position!)
        .map((b) => b.column.name);
    },
    text,
  );
  const meta = () => {
    const facts = verified.facts();
    return {
      taxi,
      month,
      format,
      sourceUrl: origin.sourceUrl,
      etag: origin.etag,
      bytes: facts.bytes,
      sha256: facts.sha256,
      dataLines: facts.rows,
      columns,
      fileColumns: facts.columns,
      extractedAt: new Date().toISOString(),
    };
  };
  const raw = deps.store.put(rawObjectKey(taxi, month, format), verified.stream, meta);
  if (!text || !textKey) return raw;
  // The text lands beside, with the raw file's metadata (its sha256 names the file it is the text of),
  // and only when the file verified: the verifier fails the text otherwise. A text that cannot be written
  // costs the stage a second inflate, nothing else: the raw file's outcome is the step's.
  const copy = deps.store.put(textKey, text.stream(), () => {
    const facts = meta();
    // Counted at the end: more lines than the warehouse reads from text, so the text is not kept.
    if (facts.dataLines > maxLines) throw new Error(`${facts.dataLines} lines: staged from the compressed file`);
    return facts;
  }).catch(() => {
    text.abandon();
    return null;
  });
  const [landed] = await Promise.all([raw, copy]);
  return landed;
}

/** Download `taxi`/`month` into the lake, or report that it is not published. */
export async function extract(deps: ExtractDeps, taxi: Taxi, month: Month, format: FileFormat = deps.source.format): Promise<ExtractResult> {
  requireLoadable(taxi, month);
  if (format !== deps.source.format) throw new BadRequestError(`format ${format} is not the source's (${deps.source.format}): a ${format} file is loaded from landing/`);
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
  const loaded = (o: StoredObject) => loadOf(deps.store, taxi, month, o);
  for (let restart = 0; ; restart++) {
    const res = await openSource(url, retry, existing?.meta.etag);
    if (res.status === 'not_found') return { status: 'not_published', taxi, month, rawUri: null, object: null, loaded: null };
    if (res.status === 'not_modified' && existing) return { status: 'unchanged', taxi, month, rawUri: existing.uri, object: info(existing), loaded: await loaded(existing) };
    if (res.status !== 'ok') throw new Error(`unexpected source answer ${res.status}`);
    const body = deps.onProgress ? tap(res.body, (bytes) => deps.onProgress!({ taxi, month, bytes, total: res.contentLength })) : res.body;
    try {
      const stored = await landVerified(deps, taxi, month, format, body, res.contentLength, { sourceUrl: url, etag: res.etag });
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
