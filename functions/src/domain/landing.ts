/**
 * The landing prefix of the lake: where a person (or another system) drops a trip file to have its month
 * loaded. What a landed name must look like, and what is not a landed file at all, is decided here, once,
 * for the cloud trigger's workflow and the local watcher alike.
 */
import { TAXIS, type Taxi } from './datasets.js';
import { FILE_FORMATS, FORMAT_EXTENSIONS, type FileFormat } from './file-formats.js';
import { requireLoadable } from './loadable.js';
import { MonthSchema, type Month } from './months.js';

/** Objects dropped here are loaded: `landing/{taxi}_tripdata_{YYYY}-{MM}.parquet` (or `.csv.gz`). */
export const LANDING_PREFIX = 'landing/';

/** Where a landed object that cannot be loaded is moved, with the reason in its metadata. */
export const REJECTED_PREFIX = 'landing/rejected/';

/**
 * Names a copy in progress goes by (`cp` to a hidden temp name, browsers' and rsync's partial files):
 * never read, never rejected; the finished file's own name arrives when it is complete.
 */
const IN_PROGRESS = [/^\./, /\.(part|partial|tmp|temp|crdownload|download|filepart)$/i, /~$/];

/** A landed object's key, read as a release file name. */
export type LandedFile =
  | { ok: true; key: string; taxi: Taxi; month: Month; format: FileFormat }
  | { ok: false; key: string; reason: string };

/** What happens to a key in the lake bucket when an object lands there. */
export type LandingRole = 'landed' | 'ignored';

/**
 * Whether a new object under `key` is a landed file to load (or reject): directly under `landing/`, not
 * in `landing/rejected/` (moving a file there must not start another execution), not a partial copy.
 */
export function landingRole(key: string): LandingRole {
  if (!key.startsWith(LANDING_PREFIX) || key.startsWith(REJECTED_PREFIX)) return 'ignored';
  const name = key.slice(LANDING_PREFIX.length);
  if (name === '' || name.endsWith('/')) return 'ignored';
  const base = name.split('/').at(-1)!;
  return IN_PROGRESS.some((p) => p.test(base)) ? 'ignored' : 'landed';
}

const EXPECTED = `expected {taxi}_tripdata_{YYYY}-{MM}${FILE_FORMATS.map((f) => FORMAT_EXTENSIONS[f]).join(' or ')} with taxi ${TAXIS.join(', ')}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NAME = new RegExp(`^(${TAXIS.join('|')})_tripdata_(\\d{4}-\\d{2})(${FILE_FORMATS.map((f) => escape(FORMAT_EXTENSIONS[f])).join('|')})$`);

/** The dataset, month and format a landed key names, or why it names none (one line). */
export function parseLandedKey(key: string): LandedFile {
  const name = key.startsWith(LANDING_PREFIX) ? key.slice(LANDING_PREFIX.length) : key;
  if (name.includes('/')) return { ok: false, key, reason: `files are loaded from directly under ${LANDING_PREFIX}, not from a folder in it (${name})` };
  const m = NAME.exec(name);
  if (!m) return { ok: false, key, reason: `${JSON.stringify(name)} is not a TLC trip file name: ${EXPECTED}` };
  const month = MonthSchema.safeParse(m[2]);
  if (!month.success) return { ok: false, key, reason: `${JSON.stringify(name)} names no month: ${month.error.issues[0]!.message}` };
  const taxi = m[1] as Taxi;
  const format = FILE_FORMATS.find((f) => FORMAT_EXTENSIONS[f] === m[3])!;
  try {
    requireLoadable(taxi, month.data);
  } catch (err) {
    return { ok: false, key, reason: (err as Error).message };
  }
  return { ok: true, key, taxi, month: month.data, format };
}

/** Where a rejected landed object goes: `landing/rejected/<its name>`. */
export function rejectedKey(key: string): string {
  return `${REJECTED_PREFIX}${key.split('/').at(-1)}`;
}
