/**
 * Download of a release file with undici: retries 429/5xx/network errors with backoff, and after a
 * dropped connection resumes with `Range` (guarded by `If-Range` on the ETag) when the server allows
 * it. The body is an async iterable of chunks, so memory stays flat whatever the file size.
 */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { PipelineError } from '../../domain/errors.js';

/** Retry policy of a download. */
export interface RetryPolicy {
  retries: number;
  baseMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, for logs. */
  onRetry?: (what: string, attempt: number, delayMs: number) => void;
}

/** An opened source: headers known, body streaming. */
export interface OpenedSource {
  status: 'ok';
  etag: string | null;
  contentLength: number | null;
  contentType: string | null;
  /** Bytes of the whole file, in order, across resumed connections. */
  body: AsyncIterable<Uint8Array>;
}

export type SourceResponse = OpenedSource | { status: 'not_found' } | { status: 'not_modified' };

/** The body could not be resumed after a drop: the caller starts over from byte 0. */
export class RestartDownload extends PipelineError {
  constructor(reason: string) {
    super('unavailable', `download must restart: ${reason}`);
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

let dispatcher: Dispatcher | undefined;
function agent(): Dispatcher {
  // GitHub release URLs redirect to a CDN host.
  return (dispatcher ??= new Agent({ connect: { timeout: 30_000 }, bodyTimeout: 60_000, headersTimeout: 60_000 }).compose(
    interceptors.redirect({ maxRedirections: 5 }),
  ));
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function backoff(policy: RetryPolicy, attempt: number, retryAfter?: string | string[]): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const seconds = header !== undefined ? Number(header) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
  const exp = policy.baseMs * 2 ** attempt;
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = h[name];
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
}

/**
 * Open `url` for download, retrying transient failures before the first byte.
 * @param ifNoneMatch an ETag we already hold: a 304 answers `not_modified`
 */
export async function openSource(url: string, policy: RetryPolicy, ifNoneMatch?: string | null): Promise<SourceResponse> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    let retryAfter: string | string[] | undefined;
    let problem: string;
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: agent(),
        headers: { 'accept-encoding': 'identity', ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
      });
      if (res.statusCode === 200) {
        const etag = header(res.headers, 'etag');
        const len = header(res.headers, 'content-length');
        const acceptsRanges = header(res.headers, 'accept-ranges') === 'bytes';
        return {
          status: 'ok',
          etag,
          contentLength: len !== null ? Number(len) : null,
          contentType: header(res.headers, 'content-type'),
          body: resumingBody(url, res.body, { etag, acceptsRanges, total: len !== null ? Number(len) : null }, policy),
        };
      }
      await res.body.dump();
      if (res.statusCode === 404) return { status: 'not_found' };
      if (res.statusCode === 304) return { status: 'not_modified' };
      if (!RETRYABLE_STATUS.has(res.statusCode)) {
        throw new PipelineError('bad_source', `source answered HTTP ${res.statusCode} for ${url}`);
      }
      retryAfter = res.headers['retry-after'];
      problem = `HTTP ${res.statusCode}`;
    } catch (err) {
      if (err instanceof PipelineError) throw err;
      problem = (err as Error).message;
    }
    if (attempt >= policy.retries) {
      throw new PipelineError('unavailable', `source ${url} failed after ${attempt + 1} attempt(s): ${problem}`);
    }
    const delay = backoff(policy, attempt, retryAfter);
    policy.onRetry?.(problem, attempt + 1, delay);
    await sleep(delay);
  }
}

interface BodyInfo {
  etag: string | null;
  acceptsRanges: boolean;
  total: number | null;
}

async function* resumingBody(
  url: string,
  first: AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => void },
  info: BodyInfo,
  policy: RetryPolicy,
): AsyncGenerator<Uint8Array> {
  const sleep = policy.sleep ?? defaultSleep;
  let received = 0;
  let body: AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => void } = first;
  let resumes = 0;
  for (;;) {
    try {
      for await (const chunk of body) {
        received += chunk.byteLength;
        yield chunk;
      }
      if (info.total !== null && received < info.total) throw new Error(`connection closed after ${received} of ${info.total} bytes`);
      return;
    } catch (err) {
      if (err instanceof PipelineError) throw err;
      const reason = (err as Error).message;
      if (!info.acceptsRanges || info.total === null) throw new RestartDownload(`${reason} and the server does not accept byte ranges`);
      if (resumes >= policy.retries) throw new PipelineError('unavailable', `download of ${url} kept failing after ${resumes} resume(s): ${reason}`);
      const delay = backoff(policy, resumes);
      policy.onRetry?.(`resume at byte ${received} after: ${reason}`, ++resumes, delay);
      await sleep(delay);
      body = await openRange(url, received, info);
    }
  }
}

async function openRange(url: string, from: number, info: BodyInfo) {
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher: agent(),
      headers: { 'accept-encoding': 'identity', range: `bytes=${from}-`, ...(info.etag ? { 'if-range': info.etag } : {}) },
    });
    const range = header(res.headers, 'content-range');
    if (res.statusCode === 206 && range?.startsWith(`bytes ${from}-`)) return res.body;
    await res.body.dump();
    // 200 means the file changed (If-Range failed) or ranges were refused: our bytes so far are void.
    throw new RestartDownload(`resume at byte ${from} answered HTTP ${res.statusCode}`);
  } catch (err) {
    if (err instanceof RestartDownload) throw err;
    // The resume request itself failed: surface as a network error so the loop retries it.
    return failingBody(err as Error);
  }
}

async function* failingBody(err: Error): AsyncGenerator<Uint8Array> {
  throw err;
}
