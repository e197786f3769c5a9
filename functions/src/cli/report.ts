/**
 * `taxi-elt report --out report.html`: the run ledger as one self-contained HTML page (see
 * report/render.ts), locally or on GCP, with the topology of the workflow files in `workflows/`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import { LocalFsLeaseStore } from '../adapters/local-fs/lease.js';
import { BadRequestError } from '../domain/errors.js';
import { repoWorkflowsDir } from '../local/run-month.js';
import { renderReport, type QuarantineRow } from '../report/render.js';
import { topologyOf } from '../report/topology.js';
import { localPaths } from '../wiring.js';
import { configFrom } from './options.js';
import { statusOf } from './status.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page of the run ledger: coverage, executions, rows, failures, workflow topology')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--data-dir <dir>', 'lake and warehouse folder (env TAXI_DATA_DIR, default ./.taxi)')
    .action(async (opts: { out: string; dataDir?: string }) => {
      const config = configFrom(opts);
      const paths = localPaths(config.dataDir);
      if (!existsSync(paths.warehouse)) throw new BadRequestError(`no warehouse at ${paths.warehouse}: load a month first (taxi-elt run)`);
      const warehouse = new DuckDbWarehouse(paths.warehouse);
      try {
        const entries = await warehouse.read({});
        const status = await statusOf(entries, new LocalFsLeaseStore(paths.lake));
        const quarantine: QuarantineRow[] = [];
        for (const taxi of status.taxis) {
          // The quarantine views exist once a month of the dataset merged.
          const rows = await warehouse
            .query(`SELECT regexp_extract(filename, '(\\d{4}-\\d{2})') AS month, reason, count(*) AS n FROM "${taxi}_tripdata_quarantine" GROUP BY ALL ORDER BY ALL`)
            .catch(() => [] as Record<string, unknown>[]);
          for (const r of rows) quarantine.push({ taxi, month: String(r.month), reason: String(r.reason), n: Number(r.n) });
        }
        const dir = config.workflowsDir ?? repoWorkflowsDir();
        const workflows = readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((file) => ({ file, blocks: topologyOf(readFileSync(join(dir, file), 'utf8')) }));
        const html = renderReport({
          generatedAt: new Date().toISOString(),
          where: config.dataDir,
          taxis: status.taxis,
          months: status.months,
          cells: status.cells,
          entries,
          quarantine,
          workflows,
        });
        writeFileSync(opts.out, html);
        process.stdout.write(`wrote ${resolve(opts.out)} (${entries.length} step attempt(s), ${status.months.length} month(s))\n`);
      } finally {
        await warehouse.close();
      }
    });
}
