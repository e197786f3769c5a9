/**
 * `taxi-elt query`: SQL on the local warehouse.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import { PipelineError } from '../domain/errors.js';
import { localPaths } from '../wiring.js';
import { configFrom } from './options.js';
import { formatTable } from './table.js';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL on the local DuckDB warehouse')
    .argument('<sql>', 'the statement to run')
    .option('--data-dir <dir>', 'lake and warehouse folder (env TAXI_DATA_DIR, default ./.taxi)')
    .option('--json', 'print a JSON array of row objects')
    .action(async (sql: string, opts: { dataDir?: string; json?: boolean }) => {
      const config = configFrom(opts);
      const path = localPaths(config.dataDir).warehouse;
      if (!existsSync(path)) throw new PipelineError('bad_request', `no warehouse at ${path}: load a month first (taxi-elt run)`);
      const warehouse = new DuckDbWarehouse(path);
      try {
        const rows = await warehouse.query(sql);
        process.stdout.write(opts.json ? `${JSON.stringify(rows)}\n` : `${formatTable(rows)}\n`);
      } catch (err) {
        throw new PipelineError('bad_request', `query failed: ${(err as Error).message}`);
      } finally {
        await warehouse.close();
      }
    });
}
