/**
 * The commands end to end as a user runs them: demo, run --json, query, plan.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, lastJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('demo, query and plan', () => {
  it('demo loads the bundled month offline and shows the facts and a query', async () => {
    const r = await cli(['demo', '--data-dir', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lastJson(r.stdout)).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9, quarantined: { outside_month: 9 } });
    expect(r.stdout).toMatch(/rows in file\s+95,120/);
    expect(r.stdout).toMatch(/rows loaded\s+95,111/);
    expect(r.stdout).toMatch(/rows quarantined\s+9 \(9 outside_month\)/);
    // Trips per borough: every loaded trip is counted once across boroughs.
    const table = r.stdout.slice(r.stdout.indexOf('Trips per pickup borough'));
    const trips = [...table.matchAll(/^(?:Manhattan|Brooklyn|Queens|Bronx|Staten Island|EWR|Unknown|NULL)\s+(\d+)/gm)].map((m) => Number(m[1]));
    expect(trips.reduce((a, b) => a + b, 0)).toBe(95_111);
  });

  it('query prints a table, or JSON rows with --json', async () => {
    const json = await cli(['query', 'SELECT count(*) AS n, count(DISTINCT filename) AS files FROM green_tripdata', '--data-dir', tmp.dir, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ n: '95111', files: '1' }]);
    const text = await cli(['query', 'SELECT reason, count(*) AS n FROM green_tripdata_quarantine GROUP BY 1', '--data-dir', tmp.dir]);
    expect(text.stdout).toMatch(/reason\s+n\n-+\s+-+\noutside_month\s+9\n\(1 row\)/);
  });

  it('a failing query is one line, exit 2', async () => {
    const r = await cli(['query', 'SELECT nope FROM green_tripdata', '--data-dir', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: query failed: Binder Error: Referenced column "nope" not found/);
  });

  it('run without --month is a scheduled run: one row per month of the window, exit 0 when none failed', async () => {
    const { serveFiles } = await import('../../functions/src/local/file-server.js');
    const server = await serveFiles(new Map());
    try {
      const template = `${server.url}/{taxi}_tripdata_{YYYY}-{MM}.parquet`;
      const r = await cli(['run', '--taxi', 'fhv', '--data-dir', `${tmp.dir}/sched`, '--source', template, '--json'], { TAXI_SCHEDULE_WINDOW: '2' });
      expect(r.code).toBe(0);
      const out = lastJson(r.stdout) as { scheduled: boolean; months: string[]; results: { status: string }[]; totals: Record<string, number> };
      expect(out.scheduled).toBe(true);
      expect(out.months).toHaveLength(2);
      expect(out.results.map((x) => x.status)).toEqual(['not_published', 'not_published']);
      // (and the zone lookup, absent here: the catalog's failure is logged, the months are looked at)
      expect(server.requests.map((q) => q.path).filter((p) => !p.startsWith('/misc/'))).toEqual(out.months.map((m) => `/fhv_tripdata_${m}.parquet`));
      const text = await cli(['run', '--taxi', 'fhv', '--data-dir', `${tmp.dir}/sched`, '--source', template], { TAXI_SCHEDULE_WINDOW: '2' });
      expect(text.stdout).toMatch(/^fhv: scheduled run over \d{4}-\d{2} \.\. \d{4}-\d{2}\n/);
      expect(text.stdout).toMatch(/0 loaded, 0 already loaded, 2 not published, 0 failed/);
    } finally {
      await server.close();
    }
  });

  it('run --json for a landed month prints the summary as the last line', async () => {
    // The demo's loopback server is gone; the ETag check cannot happen, so the run fails cleanly.
    const r = await cli(['run', '--taxi', 'green', '--month', '2020-10', '--data-dir', tmp.dir, '--source', 'http://127.0.0.1:9', '--json'], { TAXI_HTTP_RETRIES: '0' });
    expect(r.code).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({ status: 'failed', rowsLoaded: 0 });
    expect(r.stderr).toMatch(/^error: extract: source http:\/\/127\.0\.0\.1:9\/green\/green_tripdata_2020-10\.csv\.gz failed after 1 attempt\(s\)/);
    const [row] = JSON.parse((await cli(['query', 'SELECT count(*) AS n FROM green_tripdata', '--data-dir', tmp.dir, '--json'])).stdout);
    expect(row.n).toBe('95111');
  });

  it('plan --target duckdb lists the statements in order with values inlined', async () => {
    const r = await cli(['plan', '--target', 'duckdb', '--taxi', 'yellow', '--month', '2021-01', '--data-dir', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { step: string; sql: string }[];
    expect(plan.map((s) => s.step)).toEqual(['tables', 'tables', 'external', 'stage', 'stage', 'stage', 'stage', 'stage', 'merge', 'merge', 'quarantine']);
    const all = plan.map((s) => s.sql).join('\n');
    expect(all).not.toMatch(/\$\w+|\{\{/);
    expect(all).toMatch(/"tpep_pickup_datetime" < CAST\('2021-01-01 00:00:00' AS TIMESTAMP\) OR "tpep_pickup_datetime" >= CAST\('2021-02-01 00:00:00' AS TIMESTAMP\)/);
    expect(plan[0]!.sql).toMatch(/CREATE VIEW IF NOT EXISTS "yellow_tripdata"/);
    expect(plan[2]!.sql).toMatch(/-- format: parquet\n(--.*\n)*CREATE OR REPLACE TEMP VIEW "yellow_tripdata_staging_2021_01_external" AS\nSELECT \*\nFROM read_parquet\('.*\/lake\/raw\/yellow\/2021\/yellow_tripdata_2021-01\.parquet', file_row_number = true\)$/);
    expect(plan[3]!.sql).toMatch(/^(--.*\n|\n)*-- name: copies\n-- format: parquet\n(--.*\n)*CREATE OR REPLACE TEMP TABLE "yellow_tripdata_staging_2021_01_copies" AS\nSELECT source_row, before IS NOT DISTINCT FROM h AS copy\n[\s\S]*SELECT file_row_number AS source_row, hash\("VendorID", [^)]*"congestion_surcharge"\) AS h[\s\S]*WINDOW by_hash AS \(ORDER BY h, source_row\)/);
    expect(plan[4]!.sql).toMatch(/^(--.*\n|\n)*COPY \([\s\S]*'yellow_tripdata_2021-01\.parquet' AS filename[\s\S]*\) TO '.*\.yellow_tripdata_staging_2021_01\.write-[^']+' \(FORMAT parquet, COMPRESSION lz4_raw, KV_METADATA \{raw_sha256: '[^']*'\}\)$/);
    expect(plan[5]!.sql).toMatch(/^-- name: checks\n(--.*\n)*WITH repeated AS MATERIALIZED \([\s\S]*\) AS unmatched,\n[\s\S]*\) AS duplicates$/);
    expect(plan[6]!.sql).toMatch(/'duplicate'/);
    expect(plan[7]!.sql).toMatch(/CREATE OR REPLACE VIEW "yellow_tripdata_staging_2021_01" AS\nSELECT \* EXCLUDE \(row_hash, pair_id\) REPLACE \(md5\(concat_ws\([^\n]*\) AS unique_row_id\)\nFROM read_parquet\('.*\/tables\/staging\/yellow_tripdata_staging_2021_01\.parquet'\)/);
    expect(plan[9]!.sql).toMatch(/CREATE OR REPLACE VIEW "yellow_tripdata" AS[\s\S]*read_parquet\('.*\/tables\/yellow_tripdata\/\*\.parquet', union_by_name = true\)\nWHERE reason IS NULL/);
    // The CSV mirror plans its own external lines table, copies and file name.
    const mirror = JSON.parse((await cli(['plan', '--taxi', 'yellow', '--month', '2021-01', '--source', 'mirror', '--data-dir', tmp.dir, '--json'])).stdout) as { step: string; sql: string }[];
    expect(mirror[2]!.sql).toMatch(/-- format: csv[\s\S]*read_csv\(\n  '.*yellow_tripdata_2021-01\.csv\.gz'/);
    expect(mirror[3]!.sql).toMatch(/-- format: csv\n[\s\S]*PARTITION BY line ORDER BY rowid/);
    expect(mirror[4]!.sql).toMatch(/'yellow_tripdata_2021-01\.csv\.gz' AS filename/);
    const text = await cli(['plan', '--taxi', 'yellow', '--month', '2021-01', '--data-dir', tmp.dir]);
    expect(text.stdout).toMatch(/^-- step: tables\n(--.*\n)*CREATE VIEW IF NOT EXISTS "yellow_tripdata"/);
  });
});
