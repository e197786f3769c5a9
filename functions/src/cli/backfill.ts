/**
 * `taxi-elt backfill`: a range of months through `workflows/backfill.yaml`, locally or on GCP.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { dataset, TAXIS } from '../domain/datasets.js';
import { BadRequestError } from '../domain/errors.js';
import { monthRange } from '../domain/months.js';
import { runBackfill, type BackfillArgs, type BackfillResult } from '../local/run-month.js';
import { EXIT } from './exit-codes.js';
import { configFrom, parseMonth } from './options.js';
import { formatTable } from './table.js';

interface BackfillOpts {
  taxi: string;
  from: string;
  to?: string;
  concurrency: string;
  json?: boolean;
  source?: string;
  dataDir?: string;
  target: string;
  project?: string;
  location?: string;
  workflow: string;
}

/** Validate the backfill arguments as the workflow will (it checks again: the YAML is the contract). */
export function backfillArgs(opts: Pick<BackfillOpts, 'taxi' | 'from' | 'to' | 'concurrency'>): BackfillArgs {
  const taxi = z.enum([...TAXIS, 'all']).safeParse(opts.taxi);
  if (!taxi.success) throw new BadRequestError(`--taxi must be yellow, green, fhv, fhvhv or all, got ${JSON.stringify(opts.taxi)}`);
  const from = parseMonth(opts.from, '--from');
  const to = parseMonth(opts.to ?? opts.from, '--to');
  if (to < from) throw new BadRequestError(`--to (${to}) is before --from (${from})`);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 20) throw new BadRequestError(`--concurrency must be an integer from 1 to 20, got ${JSON.stringify(opts.concurrency)}`);
  const months = (taxi.data === 'all' ? [...TAXIS] : [taxi.data]).reduce((n: number, t) => n + monthRange(from < dataset(t).firstMonth ? dataset(t).firstMonth : from, to).length, 0);
  if (months > 240) throw new BadRequestError(`${months} months requested, at most 240 per backfill`);
  return { taxi: taxi.data, from, to, concurrency };
}

/** The results table of a backfill, one row per month, then the totals. */
export function formatBackfill(result: BackfillResult): string {
  const rows = result.results.map((r) => ({
    taxi: r.taxi,
    month: r.month,
    status: r.status,
    in_file: 'rowsInFile' in r ? r.rowsInFile : null,
    loaded: 'rowsLoaded' in r ? r.rowsLoaded : null,
    quarantined: 'rowsQuarantined' in r ? r.rowsQuarantined : null,
    inserted: 'inserted' in r ? r.inserted : null,
    deleted: 'deleted' in r ? r.deleted : null,
    seconds: 'durationMs' in r ? Number((r.durationMs / 1000).toFixed(1)) : null,
    error: r.error ?? '',
  }));
  const t = result.totals;
  return `${formatTable(rows)}\ntotals: ${t.months} month(s): ${t.succeeded} succeeded, ${t.already_loaded} already loaded, ${t.not_published} not published, ${t.failed} failed; ${t.rowsInFile.toLocaleString('en-US')} rows in files, ${t.rowsLoaded.toLocaleString('en-US')} loaded, ${t.rowsQuarantined.toLocaleString('en-US')} quarantined`;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('load a range of months through workflows/backfill.yaml (locally, or the deployed workflow with --target gcp)')
    .requiredOption('--taxi <taxi>', 'yellow, green, fhv, fhvhv or all')
    .requiredOption('--from <YYYY-MM>', 'first month')
    .option('--to <YYYY-MM>', 'last month, included (default: --from)')
    .option('--concurrency <n>', 'months loading at once, 1-20', '2')
    .option('--source <url>', 'tlc (default), mirror, or a URL template (local target; env TAXI_SOURCE_URL)')
    .option('--data-dir <dir>', 'lake and warehouse folder (local target)')
    .option('--target <target>', 'local or gcp', 'local')
    .option('--project <id>', 'GCP project (gcp target)')
    .option('--location <region>', 'Workflows region (gcp target)')
    .option('--workflow <name>', 'deployed backfill workflow (gcp target)', 'backfill')
    .option('--json', 'print {"results","totals"} as JSON on the last line of stdout')
    .action(async (opts: BackfillOpts) => {
      const args = backfillArgs(opts);
      let result: BackfillResult;
      if (opts.target === 'gcp') {
        if (!opts.project || !opts.location) throw new BadRequestError('--target gcp needs --project and --location');
        const { runDeployedBackfill } = await import('./gcp-backfill.js');
        result = await runDeployedBackfill({ project: opts.project, location: opts.location, workflow: opts.workflow }, args, Boolean(process.stderr.isTTY));
      } else if (opts.target === 'local') {
        result = await runLocal(opts, args);
      } else {
        throw new BadRequestError(`--target must be local or gcp, got ${JSON.stringify(opts.target)}`);
      }
      process.stdout.write(`${formatBackfill(result)}\n`);
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exitCode = result.totals.failed > 0 ? EXIT.failure : EXIT.ok;
    });
}

async function runLocal(opts: BackfillOpts, args: BackfillArgs): Promise<BackfillResult> {
  const config = configFrom(opts);
  const tty = Boolean(process.stderr.isTTY);
  // One bar per month: downloaded MiB, then the step it is at.
  const multi = tty
    ? new cliProgress.MultiBar({ stream: process.stderr, format: '{label} {step} [{bar}] {mib} MiB', barsize: 24, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
    : null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const bar = (taxi: string | null, month: string | null) => {
    const key = `${taxi} ${month}`;
    let b = bars.get(key);
    if (!b && multi) {
      b = multi.create(1, 0, { label: key, step: 'extract', mib: '0.0' });
      bars.set(key, b);
    }
    return b;
  };
  try {
    return await runBackfill(config, args, {
      onProgress: (e) => {
        const b = bar(e.taxi, e.month);
        if (e.total) b?.setTotal(e.total);
        b?.update(e.bytes, { mib: (e.bytes / 1048576).toFixed(1) });
      },
      onStep: (e) => bar(e.taxi, e.month)?.update({ step: e.step.padEnd(7) }),
    });
  } finally {
    multi?.stop();
  }
}
