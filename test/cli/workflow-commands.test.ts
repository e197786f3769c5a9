/**
 * `workflows run`, `schedule` and `plan --target bigquery` as a user runs them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, lastJson } from '../helpers/cli.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { source } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('workflows run', () => {
  it('prints the result as JSON on the last line', async () => {
    const file = join(tmp.dir, 'add.yaml');
    writeFileSync(file, 'main:\n  params: [args]\n  steps:\n    - add:\n        return: ${args.a + 1}\n');
    const r = await cli(['workflows', 'run', file, '--data', '{"a": 41}', '--data-dir', tmp.dir]);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toBe(42);
  });

  it('a failed execution exits 1 with the error on stderr', async () => {
    const file = join(tmp.dir, 'boom.yaml');
    writeFileSync(file, 'main:\n  steps:\n    - boom:\n        raise: "nope"\n');
    const r = await cli(['workflows', 'run', file, '--data-dir', tmp.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: execution failed: nope\n');
  });

  it('runs workflows/ingest_month.yaml itself against the local functions', async () => {
    const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
    try {
      const r = await cli(['workflows', 'run', 'workflows/ingest_month.yaml', '--data', '{"taxi":"green","month":"2020-10"}', '--source', server.url, '--data-dir', tmp.dir]);
      expect(r.code).toBe(0);
      expect(lastJson(r.stdout)).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111 });
    } finally {
      await server.close();
    }
  });

  it('bad --data is exit 2', async () => {
    const r = await cli(['workflows', 'run', 'workflows/ingest_month.yaml', '--data', '{nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --data is not JSON/);
  });
});

describe('schedule', () => {
  it('lists the next fire times in New York and the months each run looks at', async () => {
    const r = await cli(['schedule', '--from', '2026-12-01T00:00:00Z', '--count', '2', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    expect(rows.slice(0, 2)).toEqual([
      { taxi: 'yellow', cron: '0 6 * * *', time_zone: 'America/New_York', fires_at: '2026-12-01T11:00:00.000Z', fires_at_local: '2026-12-01 06:00:00', looks_at: '2026-09 2026-10 2026-11' },
      { taxi: 'yellow', cron: '0 6 * * *', time_zone: 'America/New_York', fires_at: '2026-12-02T11:00:00.000Z', fires_at_local: '2026-12-02 06:00:00', looks_at: '2026-09 2026-10 2026-11' },
    ]);
    expect(rows.map((x) => x.fires_at_local!.slice(11))).toEqual(['06:00:00', '06:00:00', '06:20:00', '06:20:00', '06:40:00', '06:40:00', '07:00:00', '07:00:00']);
    const narrow = JSON.parse((await cli(['schedule', '--from', '2019-03-01T00:00:00Z', '--count', '1', '--window', '4', '--json'])).stdout) as Record<string, string>[];
    expect(narrow.find((x) => x.taxi === 'fhvhv')!.looks_at).toBe('2019-02');
    expect(narrow.find((x) => x.taxi === 'yellow')!.looks_at).toBe('2018-11 2018-12 2019-01 2019-02');
  });
});

describe('plan --target bigquery', () => {
  it('prints the BigQuery statements offline, values inlined', async () => {
    const r = await cli(['plan', '--target', 'bigquery', '--taxi', 'green', '--month', '2020-10', '--project', 'my-project', '--dataset', 'nyc_taxi', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { step: string; sql: string }[];
    expect(plan.map((s) => s.step)).toContain('merge');
    const merge = plan.filter((s) => s.step === 'merge' || s.step === 'quarantine').map((s) => s.sql).join(';\n');
    // one transaction, fenced first (the lease's token shown as a placeholder), committed last
    expect(merge).toMatch(/^BEGIN TRANSACTION;$[\s\S]*^UPDATE `my-project\.nyc_taxi\.month_fences`[\s\S]*^MERGE INTO `my-project\.nyc_taxi\.green_tripdata` [\s\S]*^COMMIT TRANSACTION$/m);
    expect(merge).toMatch(/WHEN NOT MATCHED BY SOURCE AND t\.`lpep_pickup_datetime` >= DATETIME '2020-10-01 00:00:00' AND t\.`lpep_pickup_datetime` < DATETIME '2020-11-01 00:00:00' THEN DELETE/);
    expect(plan.map((s) => s.sql).join('\n')).not.toMatch(/@\w+|\{\{/);
  });
});
