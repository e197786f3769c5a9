/**
 * `taxi-elt status`: which months of which dataset are loaded, since when, from which file, what failed
 * last, what is running — a dataset × month grid read from the run ledger (`pipeline_runs`), locally or
 * on GCP. `--check-source` also asks the source (HEAD) and marks loaded months whose published file
 * changed since (`stale`).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import { LocalFsLeaseStore } from '../adapters/local-fs/lease.js';
import { TAXIS, type Taxi } from '../domain/datasets.js';
import { BadRequestError } from '../domain/errors.js';
import { monthState, type LedgerEntry, type MonthState } from '../domain/ledger.js';
import { monthRange, type Month } from '../domain/months.js';
import { leaseKey } from '../domain/naming.js';
import { sourceFileUrl } from '../domain/sources.js';
import type { LeaseStore } from '../ports/lease.js';
import type { Ledger } from '../ports/ledger.js';
import { sourceVersion } from '../steps/extract/source.js';
import type { Config } from '../config.js';
import { localPaths } from '../wiring.js';
import { configFrom, parseMonth, parseTaxi } from './options.js';

/** A month's state, with `stale` when `--check-source` found a newer published file. */
export type StatusCell = Omit<MonthState, 'state'> & { state: MonthState['state'] | 'stale' };

/** The status document (`--json`). */
export interface StatusReport {
  taxis: Taxi[];
  months: Month[];
  cells: StatusCell[];
}

/**
 * Fold the ledger into the grid of the datasets and months asked, by default every dataset the ledger
 * knows and its first to its last month.
 */
export async function statusOf(entries: readonly LedgerEntry[], leases: LeaseStore, asked: { taxi?: Taxi; from?: Month; to?: Month } = {}): Promise<StatusReport> {
  const known = [...new Set(entries.map((e) => e.month))].sort();
  const first = asked.from ?? known[0];
  const last = asked.to ?? known.at(-1);
  const taxis = asked.taxi ? [asked.taxi] : TAXIS.filter((t) => entries.some((e) => e.taxi === t));
  const months = first && last && taxis.length ? monthRange(first, last) : [];
  const byMonth = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    const k = `${e.taxi} ${e.month}`;
    if (!byMonth.has(k)) byMonth.set(k, []);
    byMonth.get(k)!.push(e);
  }
  const cells: StatusCell[] = [];
  for (const taxi of taxis) {
    for (const month of months) {
      const running = (await leases.peek(leaseKey(taxi, month))) !== null;
      cells.push(monthState(taxi, month, byMonth.get(`${taxi} ${month}`) ?? [], running));
    }
  }
  return { taxis, months, cells };
}

const COLOR = { loaded: 32, failed: 31, stale: 33, running: 36, not_published: 90, never: 90 } as const;

/** The grid as text: one row per month, one column per dataset; coloured on a terminal. */
export function formatStatus(r: StatusReport, color: boolean): string {
  const cell = (c: StatusCell) => {
    const n = (x: number | null) => (x === null ? '?' : x.toLocaleString('en-US'));
    const text = {
      loaded: `✓ ${n(c.rowsLoaded)}`,
      stale: `! stale ${n(c.rowsLoaded)}`,
      failed: '✗ failed',
      running: '⟳ running',
      not_published: '· not published',
      never: '',
    }[c.state];
    return { text, paint: (s: string) => (color && s.trim() ? `\u001b[${COLOR[c.state]}m${s}\u001b[0m` : s) };
  };
  const width = Math.max(...r.cells.map((c) => cell(c).text.length), ...r.taxis.map((t) => t.length)) + 2;
  const lines = [['month  ', ...r.taxis.map((t) => t.padEnd(width))].join('').trimEnd()];
  for (const month of r.months) {
    const row = r.taxis.map((t) => {
      const c = cell(r.cells.find((x) => x.taxi === t && x.month === month)!);
      return c.paint(c.text.padEnd(width));
    });
    lines.push(`${month}  ${row.join('')}`.trimEnd());
  }
  const failed = r.cells.filter((c) => c.state === 'failed');
  if (failed.length) lines.push('', 'failures:', ...failed.map((c) => `  ${c.taxi} ${c.month} at ${c.lastAttemptAt}: ${c.error}`));
  return lines.join('\n');
}

interface StatusOpts {
  taxi?: string;
  from?: string;
  to?: string;
  json?: boolean;
  checkSource?: boolean;
  dataDir?: string;
  source?: string;
  target: string;
  project?: string;
  location?: string;
  dataset?: string;
  bucket?: string;
}

async function stores(opts: StatusOpts, config: Config): Promise<{ ledger: Ledger; leases: LeaseStore; close: () => Promise<void> }> {
  if (opts.target === 'local') {
    const paths = localPaths(config.dataDir);
    // Reading must not create a warehouse where none was ever loaded.
    if (!existsSync(paths.warehouse)) return { ledger: { append: async () => undefined, read: async () => [] }, leases: new LocalFsLeaseStore(paths.lake), close: async () => undefined };
    const warehouse = new DuckDbWarehouse(paths.warehouse);
    return { ledger: warehouse, leases: new LocalFsLeaseStore(paths.lake), close: () => warehouse.close() };
  }
  if (opts.target !== 'gcp') throw new BadRequestError(`--target must be local or gcp, got ${JSON.stringify(opts.target)}`);
  const { parseConfig } = await import('../config.js');
  const gcpConfig = parseConfig({
    ...process.env,
    TAXI_TARGET: 'gcp',
    ...(opts.project ? { TAXI_GCP_PROJECT: opts.project } : {}),
    ...(opts.location ? { TAXI_GCP_LOCATION: opts.location } : {}),
    ...(opts.dataset ? { TAXI_BQ_DATASET: opts.dataset } : {}),
    ...(opts.bucket ? { TAXI_GCS_BUCKET: opts.bucket } : {}),
  });
  const { gcpAdapters } = await import('../adapters/gcp.js');
  const adapters = await gcpAdapters(gcpConfig);
  return { ledger: adapters.ledger, leases: adapters.leases, close: () => adapters.warehouse.close() };
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('which months are loaded, failed, not published or running: a dataset × month grid from the run ledger')
    .option('--taxi <taxi>', 'one dataset (default: every dataset the ledger knows)')
    .option('--from <YYYY-MM>', 'first month (default: the first the ledger knows)')
    .option('--to <YYYY-MM>', 'last month (default: the last the ledger knows)')
    .option('--check-source', 'ask the source (HEAD) whether loaded months were republished since (stale)')
    .option('--json', 'print the grid as one JSON document on the last line')
    .option('--data-dir <dir>', 'lake and warehouse folder (local target)')
    .option('--source <source>', 'the source --check-source asks (env TAXI_SOURCE_URL)')
    .option('--target <target>', 'local or gcp', 'local')
    .option('--project <id>', 'GCP project (gcp target; env TAXI_GCP_PROJECT)')
    .option('--location <loc>', 'BigQuery location (gcp target; env TAXI_GCP_LOCATION)')
    .option('--dataset <name>', 'BigQuery dataset (gcp target; env TAXI_BQ_DATASET)')
    .option('--bucket <name>', 'lake bucket (gcp target; env TAXI_GCS_BUCKET)')
    .action(async (opts: StatusOpts) => {
      const taxi = opts.taxi === undefined ? undefined : parseTaxi(opts.taxi);
      const from = opts.from === undefined ? undefined : parseMonth(opts.from, '--from');
      const to = opts.to === undefined ? undefined : parseMonth(opts.to, '--to');
      if (from && to && to < from) throw new BadRequestError(`--to (${to}) is before --from (${from})`);
      const config = configFrom(opts);
      const s = await stores(opts, config);
      try {
        const entries = await s.ledger.read({ ...(taxi ? { taxi } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
        const report = await statusOf(entries, s.leases, { ...(taxi ? { taxi } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
        if (opts.checkSource) {
          const policy = { retries: 0, baseMs: 0, ...config.http };
          for (const c of report.cells) {
            if (c.state !== 'loaded') continue;
            const v = await sourceVersion(sourceFileUrl(config.source, c.taxi, c.month), policy);
            if (v !== 'not_found' && v.etag && c.etag && v.etag !== c.etag) (c as StatusCell).state = 'stale';
          }
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(report.months.length ? `${formatStatus(report, Boolean(process.stdout.isTTY))}\n` : 'no step has run yet: the run ledger is empty\n');
      } finally {
        await s.close();
      }
    });
}
