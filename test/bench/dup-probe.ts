/**
 * Profiling aid for the duplicate path: times the DuckDB warehouse's stage on the same month with and
 * without realistic duplicates (about 1 in 6,000 lines repeated exactly), median of runs.
 *
 * `tsx test/bench/dup-probe.ts [--rows 1000000] [--runs 3]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../functions/src/adapters/duckdb/warehouse.js';
import { plannedObject } from '../../functions/src/adapters/shared/planned-object.js';
import type { MonthJob } from '../../functions/src/ports/warehouse.js';
import { generateMonth } from './generate.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const rows = Number(arg('rows', '1000000'));
const runs = Number(arg('runs', '3'));
const tmp = mkdtempSync(join(tmpdir(), 'taxi-dup-probe-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const month = '2021-03';
  const clean = await generateMonth(join(tmp, 'clean.csv.gz'), 'green', month, rows, 7, { outOfMonth: 100 });
  const dirty = await generateMonth(join(tmp, 'dirty.csv.gz'), 'green', month, rows, 7, { outOfMonth: 100, duplicates: Math.round(rows / 6000) });
  const times: Record<string, number[]> = { clean: [], dirty: [] };
  for (let r = 0; r < runs; r++) {
    for (const [name, file] of [['clean', clean], ['dirty', dirty]] as const) {
      const wh = new DuckDbWarehouse(join(tmp, `${name}-${r}.duckdb`), { memory_limit: process.env.MEM ?? '512MB' });
      const object = plannedObject('green', month, 'csv', file.path);
      object.meta.dataLines = file.rows;
      const job: MonthJob = { taxi: 'green', month, object };
      const t0 = performance.now();
      const counts = await wh.stage(job);
      times[name]!.push(performance.now() - t0);
      if (r === 0) process.stdout.write(`${name}: ${JSON.stringify(counts)}\n`);
      await wh.close();
    }
  }
  const c = median(times.clean!);
  const d = median(times.dirty!);
  process.stdout.write(`stage, ${rows} rows: clean ${(c / 1000).toFixed(2)} s, with ${Math.round(rows / 6000)} duplicates ${(d / 1000).toFixed(2)} s: ${(d / c).toFixed(2)}x\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
