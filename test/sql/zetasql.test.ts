/**
 * Every statement of the BigQuery plan, for both datasets, must pass ZetaSQL analysis with BigQuery's
 * language features, against a catalog that learns each table from the CREATE that defines it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBigQuery } from '../../functions/src/adapters/bigquery/warehouse.js';
import { TAXIS } from '../../functions/src/domain/datasets.js';
import { Analyzer, createdTable } from './zetasql-harness.js';

let analyzer: Analyzer;

beforeAll(async () => {
  analyzer = await Analyzer.start();
}, 30_000);

afterAll(() => analyzer?.stop());

describe('BigQuery plan under ZetaSQL', () => {
  for (const taxi of TAXIS) {
    it(`analyses every ${taxi} statement in order`, async () => {
      const plan = planBigQuery({ taxi, month: '2020-10', project: 'nyc-taxi-test', dataset: 'nyc_taxi', bucket: 'lake-bucket' });
      expect(plan.map((s) => s.step)).toEqual(['tables', 'tables', 'external', 'stage', 'count', 'count', 'merge', 'quarantine']);
      const created: string[] = [];
      for (const s of plan) {
        let resolved: Record<string, unknown>;
        try {
          resolved = await analyzer.analyze(s.sql);
        } catch (err) {
          throw new Error(`step ${s.step} fails ZetaSQL analysis: ${(err as Error).message}\n${s.sql}`);
        }
        const table = createdTable(resolved);
        if (table) {
          analyzer.register(table.name, table.columns);
          created.push(table.name);
        }
      }
      expect(created).toEqual([
        `nyc-taxi-test.nyc_taxi.${taxi}_tripdata`,
        `nyc-taxi-test.nyc_taxi.${taxi}_tripdata_quarantine`,
        `nyc-taxi-test.nyc_taxi.${taxi}_tripdata_staging_2020_10_external`,
        `nyc-taxi-test.nyc_taxi.${taxi}_tripdata_staging_2020_10`,
      ]);
    });
  }

  it('rejects a misspelt column', async () => {
    const plan = planBigQuery({ taxi: 'green', month: '2020-10', project: 'nyc-taxi-test', dataset: 'nyc_taxi' });
    const merge = plan.find((s) => s.step === 'merge')!;
    await expect(analyzer.analyze(merge.sql)).resolves.toBeTruthy(); // tables registered by the test above
    const broken = merge.sql.replace('t.`lpep_pickup_datetime` >=', 't.`lpep_pikcup_datetime` >=');
    expect(broken).not.toBe(merge.sql);
    await expect(analyzer.analyze(broken)).rejects.toThrow(/lpep_pikcup_datetime/);
  });

  it('rejects a staging query reading a column the external table does not have', async () => {
    const plan = planBigQuery({ taxi: 'yellow', month: '2021-01', project: 'nyc-taxi-test', dataset: 'nyc_taxi' });
    const external = plan.find((s) => s.step === 'external')!;
    const table = createdTable(await analyzer.analyze(external.sql))!;
    analyzer.register(table.name, table.columns);
    const stage = plan.find((s) => s.step === 'stage')!;
    await expect(analyzer.analyze(stage.sql)).resolves.toBeTruthy();
    await expect(analyzer.analyze(stage.sql.replace("RTRIM(line, '\\r') AS line", "RTRIM(lines, '\\r') AS line"))).rejects.toThrow(/lines/);
  });
});
