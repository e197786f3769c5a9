/**
 * `taxi-elt demo`: the bundled real month, served from a loopback HTTP server, loaded through the
 * real code path into a fresh data dir, then queried.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DuckDbWarehouse } from '../adapters/duckdb/warehouse.js';
import { literal } from '../adapters/duckdb/dialect.js';
import { serveFiles } from '../local/file-server.js';
import { runMonth } from '../local/run-month.js';
import { localPaths } from '../wiring.js';
import { EXIT } from './exit-codes.js';
import { configFrom } from './options.js';
import { runProgress } from './progress.js';
import { describeSummary, exitCodeOfSummary } from './run.js';
import { formatTable } from './table.js';

/** The repository's `test/fixtures/` folder, found from this module (works from src and dist). */
export function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test', 'fixtures', 'taxi_zone_lookup.csv'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find test/fixtures/');
    dir = up;
  }
  return join(dir, 'test', 'fixtures');
}

const TRIPS_BY_BOROUGH = (zones: string) => `
SELECT z.Borough AS borough, count(*) AS trips, round(sum(t.total_amount), 2) AS total_amount,
       round(avg(t.trip_distance), 2) AS avg_distance
FROM green_tripdata t
LEFT JOIN read_csv(${literal(zones)}, header = true) z ON z.LocationID = t.PULocationID
WHERE t.lpep_pickup_datetime >= TIMESTAMP '2020-10-01' AND t.lpep_pickup_datetime < TIMESTAMP '2020-11-01'
GROUP BY ALL ORDER BY trips DESC`;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load the bundled real month (green 2020-10) offline and query it')
    .option('--data-dir <dir>', 'where to build the demo lake and warehouse (wiped first)', './.taxi-demo')
    .option('--json', 'print the run summary as JSON on the last line of stdout')
    .action(async (opts: { dataDir: string; json?: boolean }) => {
      const fixtures = fixturesDir();
      const dataDir = resolve(opts.dataDir);
      await rm(dataDir, { recursive: true, force: true });
      const server = await serveFiles(
        new Map([
          ['/green/green_tripdata_2020-10.csv.gz', join(fixtures, 'green_tripdata_2020-10.csv.gz')],
          // The zone lookup sits beside the trip files, as on the TLC's and the mirror's servers.
          ['/misc/taxi_zone_lookup.csv', join(fixtures, 'taxi_zone_lookup.csv')],
        ]),
      );
      try {
        const config = configFrom({ source: server.url, dataDir });
        process.stdout.write(`Serving the bundled release file at ${server.url}/green/green_tripdata_2020-10.csv.gz\n`);
        const progress = runProgress('green 2020-10', Boolean(process.stderr.isTTY));
        const summary = await runMonth(config, 'green', '2020-10', {
          onProgress: (e) => progress.bytes(e.bytes, e.total),
          onStep: (e) => progress.step(e.step),
        }).finally(() => progress.stop());
        process.stdout.write(`\n${describeSummary(summary)}\n`);
        if (summary.status !== 'succeeded') {
          process.exitCode = exitCodeOfSummary(summary);
          if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        const warehouse = new DuckDbWarehouse(localPaths(dataDir).warehouse);
        try {
          const rows = await warehouse.query(TRIPS_BY_BOROUGH(join(fixtures, 'taxi_zone_lookup.csv')));
          process.stdout.write(`\nTrips per pickup borough, October 2020:\n${formatTable(rows)}\n`);
          const q = await warehouse.query(`SELECT reason, detail FROM green_tripdata_quarantine ORDER BY detail`);
          process.stdout.write(`\nQuarantined rows:\n${formatTable(q)}\n`);
        } finally {
          await warehouse.close();
        }
        process.stdout.write(`\nExplore it: bin/taxi-elt query "SELECT count(*) FROM green_tripdata" --data-dir ${opts.dataDir}\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await server.close();
      }
    });
}
