/**
 * `taxi-elt plan`: the statements a run would execute, in order.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import type { Taxi } from '../domain/datasets.js';
import { plannedObject } from '../adapters/shared/planned-object.js';
import { BadRequestError } from '../domain/errors.js';
import type { Month } from '../domain/months.js';
import type { FileFormat } from '../domain/file-formats.js';
import { rawObjectKey } from '../domain/naming.js';
import { sourceFileUrl, type Source } from '../domain/sources.js';
import type { StoredObject } from '../ports/object-store.js';
import type { PlannedStatement } from '../ports/warehouse.js';
import { localPaths } from '../wiring.js';
import { configFrom, parseMonth, parseTaxi } from './options.js';

/** The raw object a plan assumes when the month is not landed: canonical column order. */
export function assumedObject(taxi: Taxi, month: Month, uri: string, source: Source): StoredObject {
  return plannedObject(taxi, month, source.format, uri, { sourceUrl: sourceFileUrl(source, taxi, month) });
}

/** Statements as text: one block per statement, headed by its step. */
export function formatPlan(statements: PlannedStatement[]): string {
  return statements.map((s) => `-- step: ${s.step}\n${s.sql};\n`).join('\n');
}

interface PlanOpts {
  target: string;
  taxi: string;
  month: string;
  project?: string;
  dataset?: string;
  bucket?: string;
  dataDir?: string;
  json?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('print the SQL statements a run would execute for a month, in order (offline)')
    .requiredOption('--taxi <taxi>', 'dataset: yellow, green, fhv or fhvhv')
    .requiredOption('--month <YYYY-MM>', 'month')
    .option('--target <target>', 'duckdb or bigquery', 'duckdb')
    .option('--project <id>', 'GCP project (bigquery)')
    .option('--dataset <name>', 'BigQuery dataset (bigquery)')
    .option('--bucket <name>', 'lake bucket (bigquery; a placeholder when absent)')
    .option('--data-dir <dir>', 'lake and warehouse folder (duckdb)')
    .option('--source <source>', 'tlc (Parquet, default), mirror (CSV) or a URL template: the file format planned for (env TAXI_SOURCE_URL)')
    .option('--json', 'print [{"step","sql"}]')
    .action(async (opts: PlanOpts) => {
      const taxi = parseTaxi(opts.taxi);
      const month = parseMonth(opts.month);
      let statements: PlannedStatement[];
      if (opts.target === 'duckdb') {
        const config = configFrom(opts);
        const paths = localPaths(config.dataDir);
        const uri = join(paths.lake, rawObjectKey(taxi, month, config.source.format));
        statements = new DuckDbWarehouse(paths.warehouse).plan({ taxi, month, object: assumedObject(taxi, month, uri, config.source) });
      } else if (opts.target === 'bigquery') {
        statements = await planBigQuery(taxi, month, opts, configFrom(opts).source.format);
      } else {
        throw new BadRequestError(`--target must be duckdb or bigquery, got ${JSON.stringify(opts.target)}`);
      }
      process.stdout.write(opts.json ? `${JSON.stringify(statements)}\n` : formatPlan(statements));
    });
}

async function planBigQuery(taxi: Taxi, month: Month, opts: PlanOpts, format: FileFormat): Promise<PlannedStatement[]> {
  const id = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
  if (!opts.project || !id.test(opts.project)) throw new BadRequestError('--project must be a GCP project id (6-30 lowercase letters, digits, hyphens)');
  if (!opts.dataset || !/^\w{1,1024}$/.test(opts.dataset)) throw new BadRequestError('--dataset must be a BigQuery dataset name (letters, digits, underscores)');
  if (opts.bucket !== undefined && !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(opts.bucket)) throw new BadRequestError('--bucket must be a GCS bucket name');
  const mod = (await import('../adapters/bigquery/plan.js')) as {
    planBigQuery: (p: { taxi: Taxi; month: Month; project: string; dataset: string; bucket?: string; format: FileFormat }) => PlannedStatement[];
  };
  return mod.planBigQuery({ taxi, month, project: opts.project, dataset: opts.dataset, format, ...(opts.bucket ? { bucket: opts.bucket } : {}) });
}
