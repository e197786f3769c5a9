/**
 * `taxi-elt run`: one month end to end on the embedded stack.
 */
import type { Command } from 'commander';
import type { RunSummary } from '../domain/summary.js';
import { runMonth, runScheduled, type ScheduledResult } from '../local/run-month.js';
import { formatTable } from './table.js';
import { EXIT } from './exit-codes.js';
import { configFrom, parseMonth, parseTaxi } from './options.js';
import { runProgress } from './progress.js';

/** Human lines for a summary. */
export function describeSummary(s: RunSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (s.status === 'not_published') return `${s.taxi} ${s.month}: not published at the source`;
  if (s.status === 'already_loaded') return `${s.taxi} ${s.month}: already loaded from this version of the file (${n(s.rowsLoaded)} rows, at ${s.loadedAt ?? '?'})`;
  if (s.status === 'failed') return `${s.taxi} ${s.month}: failed: ${s.error}`;
  const reasons = Object.entries(s.quarantined)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${n(v)} ${k}`)
    .join(', ');
  return [
    `${s.taxi} ${s.month}: succeeded in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  rows in file      ${n(s.rowsInFile)}`,
    `  rows loaded       ${n(s.rowsLoaded)} (${n(s.inserted)} inserted, ${n(s.deleted)} deleted)`,
    `  rows quarantined  ${n(s.rowsQuarantined)}${reasons ? ` (${reasons})` : ''}`,
    `  raw file          ${s.rawUri}`,
  ].join('\n');
}

/** Human lines for a scheduled run: one row per month looked at, then the totals. */
export function describeScheduled(r: ScheduledResult): string {
  const rows = r.results.map((x) => ({
    month: x.month,
    status: x.status,
    rows_loaded: 'rowsLoaded' in x ? x.rowsLoaded : 0,
    quarantined: 'rowsQuarantined' in x ? x.rowsQuarantined : 0,
    error: x.error ?? '',
  }));
  const t = r.totals;
  return [
    `${r.taxi}: scheduled run over ${r.months.length ? `${r.months[0]} .. ${r.months.at(-1)}` : 'no loadable month'}`,
    formatTable(rows),
    `${t.succeeded} loaded, ${t.already_loaded} already loaded, ${t.not_published} not published, ${t.failed} failed`,
  ].join('\n');
}

/** Exit code for a month's summary. */
export function exitCodeOfSummary(s: RunSummary): number {
  return s.status === 'succeeded' || s.status === 'already_loaded' ? EXIT.ok : s.status === 'not_published' ? EXIT.notPublished : EXIT.failure;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('load one month end to end: workflows/ingest_month.yaml runs extract → stage → merge over HTTP')
    .requiredOption('--taxi <taxi>', 'dataset: yellow, green, fhv or fhvhv')
    .option('--month <YYYY-MM>', 'month to load; omitted: a scheduled run, which loads every published month of the window (TAXI_SCHEDULE_WINDOW) not yet loaded')
    .option('--source <url>', 'tlc (the TLC Parquet feed, default), mirror (the course CSV mirror), a URL template with {taxi} {YYYY} {MM}, or a mirror base URL (env TAXI_SOURCE_URL)')
    .option('--data-dir <dir>', 'lake and warehouse folder (env TAXI_DATA_DIR, default ./.taxi)')
    .option('--json', 'print the run summary as JSON on the last line of stdout')
    .action(async (opts: { taxi: string; month?: string; source?: string; dataDir?: string; json?: boolean }) => {
      const taxi = parseTaxi(opts.taxi);
      const month = opts.month === undefined ? null : parseMonth(opts.month);
      const config = configFrom(opts);
      const progress = runProgress(`${taxi} ${month ?? '(scheduled run)'}`, Boolean(process.stderr.isTTY));
      const options = {
        onProgress: (e: { bytes: number; total: number | null }) => progress.bytes(e.bytes, e.total),
        onRetry: (e: { attempt: number; of: number; what: string; delayMs: number }) => progress.retry(e.attempt, e.of, e.what, e.delayMs),
        onStep: (e: { step: string }) => progress.step(e.step),
      };
      if (month === null) {
        let result: ScheduledResult;
        try {
          result = await runScheduled(config, taxi, options);
        } finally {
          progress.stop();
        }
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${describeScheduled(result)}\n`);
        if (result.error) process.stderr.write(`error: ${result.error}\n`);
        process.exitCode = result.error || result.totals.failed > 0 ? EXIT.failure : EXIT.ok;
        return;
      }
      let summary: RunSummary;
      try {
        summary = await runMonth(config, taxi, month, options);
      } finally {
        progress.stop();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`${describeSummary(summary)}\n`);
      if (summary.status === 'failed') process.stderr.write(`error: ${summary.error}\n`);
      process.exitCode = exitCodeOfSummary(summary);
    });
}
