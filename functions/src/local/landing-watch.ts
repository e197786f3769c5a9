/**
 * The embedded twin of the Eventarc trigger: watch `<data dir>/lake/landing/` and run
 * `workflows/land_file.yaml` for each file that lands there, one at a time.
 *
 * A file is read only once it is complete: a name a copy in progress goes by (hidden, `.part`, `.tmp`...)
 * is never looked at, and any other file waits until its size, modification time and inode have not
 * changed for `settleMs`. The folder is polled (every `pollMs`) rather than watched through inotify, which
 * misses events on network and container file systems; a poll is one `readdir`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { LANDING_PREFIX, landingRole } from '../domain/landing.js';
import { LocalFsObjectStore } from '../adapters/local-fs/object-store.js';
import { localPaths } from '../wiring.js';
import { runLanded, type LandedResult, type LocalRunOptions } from './run-month.js';

export interface WatchOptions {
  /** How long a file must stay unchanged before it is read. */
  settleMs: number;
  /** How often the folder is listed. */
  pollMs: number;
  /** Stops the watch: at once while it waits, after the current file while one loads. */
  signal: AbortSignal;
  /** Each file's outcome, in the order they were loaded. */
  onResult: (result: LandedResult) => void;
  /** The landing folder exists and is being watched: a file copied in from now on is seen. */
  onWatching?: (dir: string) => void;
  /** A file was seen and is waiting to settle (once per version of it). */
  onSeen?: (key: string) => void;
  /** How a file is loaded; default: land_file.yaml on a stack started for that file. */
  load?: (key: string) => Promise<LandedResult>;
  run?: LocalRunOptions;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** The landing folder of a data dir. */
export function landingDir(config: Config): string {
  return join(localPaths(config.dataDir).lake, LANDING_PREFIX);
}

/**
 * Watch until `signal` aborts. A file whose load failed and left it in place (a transient error) is not
 * tried again until it changes: copying it again, or a newer file under its name, retries it.
 */
export async function watchLanding(config: Config, options: WatchOptions): Promise<void> {
  const store = new LocalFsObjectStore(localPaths(config.dataDir).lake);
  const dir = landingDir(config);
  await mkdir(dir, { recursive: true });
  options.onWatching?.(dir);
  const load = options.load ?? ((key: string) => runLanded(config, key, options.run));
  /** Per key: the version last seen, and since when it has not changed. */
  const seen = new Map<string, { generation: string; since: number }>();
  /** `key@generation` of versions already tried and left in place. */
  const tried = new Set<string>();
  while (!options.signal.aborted) {
    const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    const present = new Set<string>();
    for (const name of names) {
      if (options.signal.aborted) break;
      const key = `${LANDING_PREFIX}${name}`;
      if (landingRole(key) === 'ignored') continue;
      const now = await store.stat(key);
      if (!now || tried.has(`${key}@${now.generation}`)) continue;
      present.add(key);
      const before = seen.get(key);
      if (before?.generation !== now.generation) {
        seen.set(key, { generation: now.generation, since: Date.now() });
        options.onSeen?.(key);
        continue;
      }
      if (Date.now() - before.since < options.settleMs) continue;
      options.onResult(await load(key));
      seen.delete(key);
      const after = await store.stat(key);
      if (after?.generation === now.generation) tried.add(`${key}@${now.generation}`);
    }
    for (const key of [...seen.keys()]) if (!present.has(key)) seen.delete(key);
    await pause(options.pollMs, options.signal);
  }
}
