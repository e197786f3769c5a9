/**
 * POST JSON to a function URL, as Workflows' `http.post` would, and turn an error answer back into a
 * PipelineError with the function's one-line reason.
 */
import { request } from 'undici';
import { PipelineError, type ErrorKind } from '../domain/errors.js';

const KIND_BY_STATUS: Record<number, ErrorKind> = { 400: 'bad_request', 409: 'reconcile', 422: 'bad_source', 503: 'unavailable' };

export async function callFunction<T>(name: string, url: string, body: unknown): Promise<T> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.statusCode >= 200 && res.statusCode < 300 && parsed !== undefined) return parsed as T;
  const reason = (parsed as { error?: string } | undefined)?.error ?? text.slice(0, 200);
  const kind = (parsed as { kind?: ErrorKind } | undefined)?.kind ?? KIND_BY_STATUS[res.statusCode] ?? 'internal';
  throw new PipelineError(kind, `${name}: ${reason}`);
}
