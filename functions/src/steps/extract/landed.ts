/**
 * Extract for a file dropped under the lake's `landing/` prefix instead of downloaded: the same checks
 * (format, footer or gzip trailer, schema contract) on the way to the same raw key, with the same
 * metadata. A landed object that cannot be loaded is moved to `landing/rejected/` with the reason in its
 * metadata, so the landing prefix only ever holds files still to load.
 */
import type { Taxi } from '../../domain/datasets.js';
import { BadRequestError, BadSourceError, messageOf, PipelineError } from '../../domain/errors.js';
import type { FileFormat } from '../../domain/file-formats.js';
import { landingRole, parseLandedKey, rejectedKey } from '../../domain/landing.js';
import type { Month } from '../../domain/months.js';
import { rawObjectKey } from '../../domain/naming.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { loadOf } from '../month-job.js';
import { info, landVerified, type ExtractDeps, type ExtractResult } from './extract.js';

/** What became of a landed object when it was looked at. */
export type LandingVerdict =
  /** Not a landed file (outside `landing/`, in `landing/rejected/`, a partial copy's name): left alone. */
  | { status: 'ignored'; object: string }
  /** Named like a loadable month's file: its month is to be loaded from it. */
  | { status: 'accepted'; object: string; taxi: Taxi; month: Month; format: FileFormat }
  /** Named like no loadable file: moved to `rejectedTo` (null when it was gone already). */
  | { status: 'rejected'; object: string; reason: string; rejectedTo: string | null };

/** Move a landed object aside with the reason; null when it was gone or rewritten meanwhile (left as it is). */
async function reject(store: ObjectStore, key: string, generation: string, reason: string): Promise<string | null> {
  const to = rejectedKey(key);
  const moved = await store.move(key, generation, to, { reason, 'rejected-at': new Date().toISOString() });
  return moved ? to : null;
}

/** Look at a landed object's name: accept it, reject it (moving it aside), or ignore it. */
export async function classifyLanded(store: ObjectStore, key: string): Promise<LandingVerdict> {
  if (landingRole(key) === 'ignored') return { status: 'ignored', object: key };
  const parsed = parseLandedKey(key);
  if (parsed.ok) return { status: 'accepted', object: key, taxi: parsed.taxi, month: parsed.month, format: parsed.format };
  const found = await store.stat(key);
  const rejectedTo = found ? await reject(store, key, found.generation, parsed.reason) : null;
  return { status: 'rejected', object: key, reason: parsed.reason, rejectedTo };
}

/**
 * Land the month's raw file from `landingKey`: verified as a download is, written to the raw key (an
 * identical file already there is kept with its generation: `unchanged`), then the landed object is
 * deleted, unless a newer copy landed under its name meanwhile (that copy's own event loads it). A file
 * the checks refuse is moved to `landing/rejected/` and the step fails with the reason; a transient
 * error leaves it in place for the retry.
 */
export async function adoptLanded(deps: Pick<ExtractDeps, 'store' | 'schemaContract'>, taxi: Taxi, month: Month, landingKey: string, format?: FileFormat): Promise<ExtractResult> {
  const parsed = parseLandedKey(landingKey);
  if (landingRole(landingKey) === 'ignored' || !parsed.ok || parsed.taxi !== taxi || parsed.month !== month || (format && parsed.format !== format)) {
    throw new BadRequestError(`landing: ${landingKey} is not a landed ${taxi} ${month}${format ? ` ${format}` : ''} file${parsed.ok ? '' : `: ${parsed.reason}`}`);
  }
  const key = rawObjectKey(taxi, month, parsed.format);
  const before = await deps.store.head(key);
  const landed = await deps.store.stat(landingKey);
  if (!landed) {
    // Delivered twice (events are at least once): the first delivery adopted it. The lake's file is the answer.
    if (before) return { status: 'unchanged', taxi, month, rawUri: before.uri, object: info(before), loaded: await loadOf(deps.store, taxi, month, before) };
    throw new BadRequestError(`landing: ${landingKey} is not in the lake (moved or deleted before it was loaded)`);
  }
  let stored;
  try {
    stored = await landVerified(deps, taxi, month, parsed.format, deps.store.read(landingKey, landed.generation), landed.bytes, { sourceUrl: landed.uri, etag: null });
  } catch (err) {
    if (!(err instanceof PipelineError) || err.kind !== 'bad_source') throw err;
    const to = await reject(deps.store, landingKey, landed.generation, messageOf(err));
    throw new BadSourceError(`${messageOf(err)} (${landingKey} ${to ? `moved to ${to}` : 'was replaced meanwhile and is left in place'})`);
  }
  await deps.store.remove(landingKey, landed.generation);
  const status = before?.generation === stored.generation ? 'unchanged' : 'extracted';
  return { status, taxi, month, rawUri: stored.uri, object: info(stored), loaded: await loadOf(deps.store, taxi, month, stored) };
}
