/**
 * Download of a release file with undici: retries 429/5xx/network errors with backoff, and after a
 * dropped connection resumes with `Range` (guarded by `If-Range` on the ETag) when the server allows
 * it. The body is an async iterable of chunks, so memory stays flat whatever the file size.
 */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { Readable } from 'node:stream';
import { PipelineError } from '../../domain/errors.js';
import { gathered } from './gathered.js';

/** Retry policy of a download. */
export interface RetryPolicy {
  retries: number;
  baseMs: number;
  /** How long a TCP connection may take to open; default 10 s. */
  connectTimeoutMs?: number;
  /** How long the server may take to answer with headers, and to send the next body chunk; default 30 s. */
  headersTimeoutMs?: number;
  /** How long opening the source may take in all, retries included: past it the download gives up; default 120 s. */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (what went wrong, the attempt about to start, the wait before it), for logs and progress. */
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

const dispatchers = new Map<string, Dispatcher>();
/** One connection pool per timeout setting (GitHub release URLs redirect to a CDN host). */
function agent(policy: RetryPolicy): Dispatcher {
  const connect = policy.connectTimeoutMs ?? 10_000;
  const headers = policy.headersTimeoutMs ?? 30_000;
  const key = `${connect}/${headers}`;
  let d = dispatchers.get(key);
  if (!d) {
    d = new Agent({ connect: { timeout: connect }, bodyTimeout: headers, headersTimeout: headers }).compose(interceptors.redirect({ maxRedirections: 5 }));
    dispatchers.set(key, d);
  }
  return d;
}

/** Milliseconds as seconds for a message: `10 s`, `0.3 s`. */
const secs = (ms: number) => `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

/** One line for a network error: undici's codes said as a person would. */
function describe(err: Error): string {
  const code = (err as { code?: string }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'no answer (headers timeout)';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'stalled (body timeout)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ECONNREFUSED') return 'connection refused';
  return err.message;
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
  const started = Date.now();
  const deadline = policy.deadlineMs ?? 120_000;
  for (let attempt = 0; ; attempt++) {
    let retryAfter: string | string[] | undefined;
    let problem: string;
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: agent(policy),
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
      problem = describe(err as Error);
    }
    if (attempt >= policy.retries) {
      throw new PipelineError('unreachable', `source ${url} failed after ${attempt + 1} attempt(s): ${problem}`);
    }
    const delay = backoff(policy, attempt, retryAfter);
    if (Date.now() - started + delay >= deadline) {
      const host = new URL(url).host;
      throw new PipelineError(
        'unreachable',
        `source ${host} did not answer within ${secs(deadline)} (${attempt + 1} attempt(s), last: ${problem}; connect timeout ${secs(policy.connectTimeoutMs ?? 10_000)}, headers timeout ${secs(policy.headersTimeoutMs ?? 30_000)}; see TAXI_HTTP_DEADLINE_MS)`,
      );
    }
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
  first: Readable,
  info: BodyInfo,
  policy: RetryPolicy,
): AsyncGenerator<Uint8Array> {
  const sleep = policy.sleep ?? defaultSleep;
  let received = 0;
  let body = first;
  let resumes = 0;
  for (;;) {
    try {
      for await (const chunk of gathered(body)) {
        received += chunk.byteLength;
        yield chunk;
      }
      if (info.total !== null && received < info.total) throw new Error(`connection closed after ${received} of ${info.total} bytes`);
      return;
    } catch (err) {
      if (err instanceof PipelineError) throw err;
      const reason = describe(err as Error);
      if (!info.acceptsRanges || info.total === null) throw new RestartDownload(`${reason} and the server does not accept byte ranges`);
      if (resumes >= policy.retries) throw new PipelineError('unreachable', `download of ${url} kept failing after ${resumes} resume(s): ${reason}`);
      const delay = backoff(policy, resumes);
      policy.onRetry?.(`resume at byte ${received} after: ${reason}`, ++resumes, delay);
      await sleep(delay);
      body = await openRange(url, received, info, policy);
    }
  }
}

async function openRange(url: string, from: number, info: BodyInfo, policy: RetryPolicy): Promise<Readable> {
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher: agent(policy),
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

/** A body that fails with `err` when read. */
function failingBody(err: Error): Readable {
  return new Readable({
    read() {
      this.destroy(err);
    },
  });
}

/**
 * The version the source publishes now (a HEAD request): its ETag, or `not_found`. For `status
 * --check-source`, which marks loaded months whose published file changed since.
 */
export async function sourceVersion(url: string, policy: RetryPolicy): Promise<{ etag: string | null } | 'not_found'> {
  const res = await request(url, { method: 'HEAD', dispatcher: agent(policy), headers: { 'accept-encoding': 'identity' } });
  await res.body.dump();
  if (res.statusCode === 404) return 'not_found';
  if (res.statusCode >= 400) throw new PipelineError('unreachable', `source answered HTTP ${res.statusCode} for HEAD ${url}`);
  return { etag: header(res.headers, 'etag') };
}
