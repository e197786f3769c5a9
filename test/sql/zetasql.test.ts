/**
 * Every statement of the BigQuery plan, for both datasets, must pass ZetaSQL analysis with BigQuery's
 * language features, against a catalog that learns each table from the CREATE that defines it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryWarehouse, placeholderObject, planBigQuery } from '../../functions/src/adapters/bigquery/warehouse.js';
import { TAXIS, type Taxi } from '../../functions/src/domain/datasets.js';
import { inlineParams } from '../../functions/src/adapters/bigquery/dialect.js';
import { marker } from '../../functions/src/adapters/shared/sql-template.js';
import type { FileColumn } from '../../functions/src/domain/schema-contract.js';
import { Analyzer, createdTable, typeOf } from './zetasql-harness.js';

let analyzer: Analyzer;

beforeAll(async () => {
  analyzer = await Analyzer.start();
}, 30_000);

afterAll(() => analyzer?.stop());

/** BigQuery's reading of each Parquet value type (a naive timestamp may come back as DATETIME or TIMESTAMP). */
const PARQUET_AS: Record<string, string> = { integer: 'INT64', float: 'FLOAT64', decimal: 'NUMERIC', string: 'STRING', timestamp: 'DATETIME', null: 'INT64' };

/** Register the columns BigQuery would find in a Parquet file of this schema. */
function registerParquet(name: string, fileColumns: FileColumn[], timestampAs = 'DATETIME') {
  analyzer.register(
    name,
    fileColumns.map((c) => ({ name: c.name, type: typeOf(c.type === 'timestamp' ? timestampAs : PARQUET_AS[c.type]!) })),
  );
}

describe('BigQuery plan under ZetaSQL', () => {
  for (const format of ['parquet', 'csv'] as const) {
    for (const taxi of TAXIS) {
      it(`analyses every ${taxi} ${format} statement in order`, async () => {
        const month = taxi === 'yellow' && format === 'parquet' ? '2025-02' : '2020-10';
        const plan = planBigQuery({ taxi, month, project: 'nyc-taxi-test', dataset: 'nyc_taxi', bucket: 'lake-bucket', format });
        expect(plan.map((s) => s.step)).toEqual([...Array(4).fill('tables'), 'external', 'stage', 'count', 'count', ...Array(5).fill('merge'), 'quarantine', 'quarantine']);
        const staging = `nyc-taxi-test.nyc_taxi.${taxi}_tripdata_staging_${month.replace('-', '_')}`;
        const created: string[] = [];
        for (const s of plan) {
          let resolved: Record<string, unknown>;
          try {
            resolved = await analyzer.analyze(s.sql);
          } catch (err) {
            throw new Error(`step ${s.step} fails ZetaSQL analysis: ${(err as Error).message}\n${s.sql}`);
          }
          if (s.step === 'external' && format === 'parquet') {
            // No column list: BigQuery reads the schema from the file's own footer.
            expect(s.sql).not.toMatch(/\(\s*line STRING/);
            registerParquet(`${staging}_external`, placeholderObject(taxi, month, 'parquet').meta.fileColumns!);
            created.push(`${staging}_external`);
            continue;
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
          'nyc-taxi-test.nyc_taxi.month_fences',
          `${staging}_external`,
          staging,
        ]);
      });
    }
  }

  it('analyses a Parquet stage of every era: DOUBLE counts, INT32 ids, null-typed columns, Airport_fee, TIMESTAMP reads', async () => {
    const eras: [string, string, Record<string, FileColumn['type']>, Record<string, string>, string][] = [
      ['yellow', '2019-04', { passenger_count: 'float', RatecodeID: 'float', airport_fee: 'null' }, {}, 'DATETIME'],
      ['yellow', '2023-02', { passenger_count: 'float' }, { airport_fee: 'Airport_fee' }, 'TIMESTAMP'],
      ['green', '2020-10', { ehail_fee: 'null', payment_type: 'float', trip_type: 'float' }, {}, 'DATETIME'],
      ['fhv', '2020-10', { PUlocationID: 'float', DOlocationID: 'float', SR_Flag: 'null' }, {}, 'DATETIME'],
      ['fhvhv', '2021-05', { wav_match_flag: 'null', airport_fee: 'null' }, {}, 'TIMESTAMP'],
    ];
    for (const [taxi, month, types, rename, timestampAs] of eras) {
      const object = placeholderObject(taxi as Taxi, month, 'parquet');
      object.meta.fileColumns = object.meta.fileColumns!.map((c) => ({ name: rename[c.name] ?? c.name, type: types[c.name] ?? c.type }));
      const w = new BigQueryWarehouse({ project: 'nyc-taxi-test', dataset: 'nyc_taxi', location: 'US' });
      const [external, stage] = w.statements({ taxi: taxi as Taxi, month, object }, ['external', 'stage']).map((x) => ({ sql: inlineParams(x.sql, x.params) }));
      await analyzer.analyze(external!.sql);
      registerParquet(`nyc-taxi-test.nyc_taxi.${taxi}_tripdata_staging_${month.replace('-', '_')}_external`, object.meta.fileColumns!, timestampAs);
      try {
        await analyzer.analyze(stage!.sql);
      } catch (err) {
        throw new Error(`${taxi} ${month}: ${(err as Error).message}\n${stage!.sql}`);
      }
      // A null-typed column is never read: its values are NULL, whatever type BigQuery gives it.
      for (const [name, t] of Object.entries(types)) if (t === 'null') expect(stage!.sql).not.toContain(`\`${rename[name] ?? name}\` AS \`raw_`);
      if (rename.airport_fee) expect(stage!.sql).toContain('`Airport_fee` AS `raw_airport_fee`');
    }
  });

  it('analyses an evolved column: added to the table, cast in the stage, inserted by the merge', async () => {
    const object = placeholderObject('yellow', '2025-03', 'parquet');
    object.meta.fileColumns = [...object.meta.fileColumns!, { name: 'surge_fee', type: 'float' }];
    const w = new BigQueryWarehouse({ project: 'nyc-taxi-test', dataset: 'evolve', location: 'US' });
    const job = { taxi: 'yellow' as const, month: '2025-03', object, schemaContract: 'evolve' as const };
    const statements = w.statements(job, ['tables', 'external', 'stage', 'merge']).map((x) => ({ step: x.step, sql: inlineParams(x.sql, x.params) }));
    expect(statements[1]!.sql).toContain('ADD COLUMN IF NOT EXISTS `surge_fee` NUMERIC');
    for (const st of statements) {
      try {
        const resolved = await analyzer.analyze(st.sql);
        if (st.step === 'external') {
          registerParquet('nyc-taxi-test.evolve.yellow_tripdata_staging_2025_03_external', object.meta.fileColumns!);
          continue;
        }
        const table = createdTable(resolved);
        // the ALTER adds the column: the catalog learns it as BigQuery would
        if (table) analyzer.register(table.name, table.name.endsWith('yellow_tripdata') ? [...table.columns, { name: 'surge_fee', type: typeOf('NUMERIC') }] : table.columns);
      } catch (err) {
        throw new Error(`${st.step}: ${(err as Error).message}\n${st.sql}`);
      }
    }
    expect(statements.find((x) => marker(x.sql, 'name') === 'merge')!.sql).toMatch(/INSERT \([^)]*`surge_fee`, unique_row_id, filename\) VALUES \([^)]*s\.`surge_fee`, s\.unique_row_id/);
    expect(() => w.statements({ ...job, schemaContract: 'freeze' }, ['stage'])).toThrow(/unknown column\(s\) "surge_fee"/);
  });

  it('analyses the run ledger: its table, an append with typed parameters, the read', async () => {
    const w = new BigQueryWarehouse({ project: 'nyc-taxi-test', dataset: 'ledger', location: 'US' });
    const st = w.ledgerStatements();
    expect([...st.keys()]).toEqual(['create', 'append', 'read']);
    const table = createdTable(await analyzer.analyze(st.get('create')!))!;
    expect(table.name).toBe('nyc-taxi-test.ledger.pipeline_runs');
    analyzer.register(table.name, table.columns);
    const kinds = { string: 'STRING', integer: 'INT64', instant: 'TIMESTAMP' } as const;
    const { LEDGER_COLUMNS } = await import('../../functions/src/domain/ledger.js');
    const values = Object.fromEntries(LEDGER_COLUMNS.map((c) => [c.name, { type: kinds[c.kind as keyof typeof kinds], value: null }]));
    await analyzer.analyze(inlineParams(st.get('append')!, values));
    await analyzer.analyze(inlineParams(st.get('read')!, { taxi: { type: 'STRING', value: 'green' }, from_month: { type: 'STRING', value: null }, to_month: { type: 'STRING', value: '2020-12' } }));
  });

  it('rejects a misspelt column', async () => {
    const plan = planBigQuery({ taxi: 'green', month: '2020-10', project: 'nyc-taxi-test', dataset: 'nyc_taxi', format: 'csv' });
    const merge = plan.find((s) => marker(s.sql, 'name') === 'merge')!;
    await expect(analyzer.analyze(merge.sql)).resolves.toBeTruthy(); // tables registered by the test above
    const broken = merge.sql.replace('t.`lpep_pickup_datetime` >=', 't.`lpep_pikcup_datetime` >=');
    expect(broken).not.toBe(merge.sql);
    await expect(analyzer.analyze(broken)).rejects.toThrow(/lpep_pikcup_datetime/);
  });

  it('rejects a staging query reading a column the external table does not have', async () => {
    const plan = planBigQuery({ taxi: 'yellow', month: '2021-01', project: 'nyc-taxi-test', dataset: 'nyc_taxi', format: 'csv' });
    const external = plan.find((s) => s.step === 'external')!;
    const table = createdTable(await analyzer.analyze(external.sql))!;
    analyzer.register(table.name, table.columns);
    const stage = plan.find((s) => s.step === 'stage')!;
    await expect(analyzer.analyze(stage.sql)).resolves.toBeTruthy();
    await expect(analyzer.analyze(stage.sql.replace("RTRIM(line, '\\r') AS line", "RTRIM(lines, '\\r') AS line"))).rejects.toThrow(/lines/);
  });
});
