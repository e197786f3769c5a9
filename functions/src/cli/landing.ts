/**
 * `taxi-elt watch` and `taxi-elt load`: event-driven loads on the embedded stack. A file landed under
 * `<data dir>/lake/landing/` runs `workflows/land_file.yaml`, as the Eventarc trigger runs it on GCP.
 */
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../domain/errors.js';
import { LANDING_PREFIX, parseLandedKey } from '../domain/landing.js';
import type { RunSummary } from '../domain/summary.js';
import { landingDir, watchLanding } from '../local/landing-watch.js';
import { runLanded, type LandedResult } from '../local/run-month.js';
import { EXIT } from './exit-codes.js';
import { configFrom } from './options.js';
import { describeSummary, exitCodeOfSummary } from './run.js';

/** One landed file's outcome, in one line (a loaded month: the run summary's lines). */
export function describeLanded(r: LandedResult): string {
  switch (r.status) {
    case 'ignored':
      return `${r.object}: ignored (not a landed file)`;
    case 'rejected':
      return `${r.object}: rejected, moved to ${r.rejectedTo ?? '(gone)'}: ${r.reason}`;
    case 'failed':
      return `${r.object}: failed: ${r.error}`;
    default:
      return `${r.object}:\n${describeSummary(r as RunSummary)}`;
  }
}

/** Exit code for one landed file. */
function exitCodeOfLanded(r: LandedResult): number {
  if (r.status === 'rejected') return EXIT.badArguments;
  if (r.status === 'ignored') return EXIT.ok;
  return exitCodeOfSummary(r as RunSummary);
}

const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new BadRequestError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(v)}`);
  return n;
};

export function registerLanding(program: Command): void {
  program
    .command('watch')
    .description('load every file that lands in <data-dir>/lake/landing/ (named {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz), one at a time, through workflows/land_file.yaml; Ctrl-C stops between files')
    .option('--data-dir <dir>', 'lake and warehouse folder (env TAXI_DATA_DIR, default ./.taxi)')
    .option('--settle-ms <ms>', 'a file is read once its size and time have not changed for this long', positive('--settle-ms'), 2000)
    .option('--poll-ms <ms>', 'how often the folder is listed', positive('--poll-ms'), 500)
    .option('--json', 'one JSON line per file on stdout')
    .action(async (opts: { dataDir?: string; settleMs: number; pollMs: number; json?: boolean }) => {
      const config = configFrom(opts);
      const stop = new AbortController();
      let loading: string | null = null;
      const onSigint = () => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort();
        process.stderr.write(loading ? `stopping after ${loading} (Ctrl-C again to stop now)\n` : 'stopped\n');
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        await watchLanding(config, {
          settleMs: opts.settleMs,
          pollMs: opts.pollMs,
          signal: stop.signal,
          // Said once the folder exists: a file copied in on reading it is not copied into nothing.
          onWatching: (dir) => process.stderr.write(`watching ${dir} (Ctrl-C to stop)\n`),
          onSeen: (key) => process.stderr.write(`${key}: seen, loading once it stops changing\n`),
          load: async (key) => {
            loading = key;
            process.stderr.write(`${key}: loading\n`);
            try {
              return await runLanded(config, key);
            } finally {
              loading = null;
            }
          },
          onResult: (r) => process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${describeLanded(r)}\n`),
        });
        if (loading === null && stop.signal.aborted) process.stderr.write('watch stopped between files\n');
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });

  program
    .command('load')
    .description('load one file given by path: it is copied to <data-dir>/lake/landing/ and loaded as watch loads it (its name says the month: {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz)')
    .argument('<file>', 'the trip file')
    .option('--data-dir <dir>', 'lake and warehouse folder (env TAXI_DATA_DIR, default ./.taxi)')
    .option('--json', 'print the result as JSON on the last line of stdout')
    .action(async (file: string, opts: { dataDir?: string; json?: boolean }) => {
      const config = configFrom(opts);
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) throw new BadRequestError(`${file} is not a file`);
      const name = basename(file);
      const parsed = parseLandedKey(`${LANDING_PREFIX}${name}`);
      // Refused before anything is copied: the lake does not change.
      if (!parsed.ok) throw new BadRequestError(parsed.reason);
      const dir = landingDir(config);
      await mkdir(dir, { recursive: true });
      // Copied under a name a watcher ignores, then renamed: the landed file appears complete.
      const partial = join(dir, `.${name}.${process.pid}.part`);
      try {
        await copyFile(file, partial);
        await rename(partial, join(dir, name));
      } finally {
        await rm(partial, { force: true });
      }
      const result = await runLanded(config, `${LANDING_PREFIX}${name}`);
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${describeLanded(result)}\n`);
      if (result.status === 'failed') process.stderr.write(`error: ${result.error}\n`);
      process.exitCode = exitCodeOfLanded(result);
    });
}
