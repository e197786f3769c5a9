/**
 * The DuckDB and BigQuery templates are twins: the same step files, writing the same tables, with the
 * same quarantine reasons in the same precedence.
 */
import { describe, expect, it } from 'vitest';
import { loadTemplate, marker, splitStatements, templateNames } from '../../functions/src/adapters/shared/sql-template.js';
import { planBigQuery } from '../../functions/src/adapters/bigquery/warehouse.js';
import { QUARANTINE_REASONS } from '../../functions/src/domain/quarantine.js';

const DIALECTS = ['duckdb', 'bigquery'] as const;

/** Table slots a template writes: CREATE ... TABLE / VIEW, MERGE INTO, INSERT INTO, DELETE FROM. */
function writtenTables(sql: string): string[] {
  const code = sql.replace(/--.*$/gm, '');
  const re = /\b(?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+TEMP|\s+EXTERNAL)?\s+(?:TABLE|VIEW)(?:\s+IF\s+NOT\s+EXISTS)?|MERGE(?:\s+INTO)?|INSERT\s+INTO|DELETE\s+FROM)\s+\{\{(\w+)\}\}/gi;
  return [...new Set([...code.matchAll(re)].map((m) => m[1]!))].sort();
}

/** Quarantine reasons in the order the stage template's CASE assigns them. */
/** Reasons in the order the template assigns them: CASE branches, then (DuckDB) the duplicate pass. */
function reasonOrder(sql: string): string[] {
  return [...sql.replace(/--.*$/gm, '').matchAll(/(?:THEN|SET reason =) '(\w+)'/g)].map((m) => m[1]!).filter((r, i, all) => all.indexOf(r) === i);
}

describe('template statements', () => {
  it('end at a `;` closing a line of code, not one closing a comment', () => {
    const sql = '-- name: a\n-- the first;\nSELECT 1;\n\n-- name: b\nSELECT\n  2;\n-- only a comment;\n';
    expect(splitStatements(sql)).toEqual(['-- name: a\n-- the first;\nSELECT 1', '-- name: b\nSELECT\n  2']);
  });
});

describe('SQL twins', () => {
  it('have the same step files', () => {
    const duck = templateNames('duckdb');
    expect(duck).toEqual(['00_tables.sql', '01_external.sql', '02_stage.sql', '03_merge.sql', '04_quarantine.sql', '05_ledger.sql', '06_zones.sql', '07_trips.sql', '08_descriptions.sql']);
    expect(templateNames('bigquery')).toEqual(duck);
  });

  it('write the same tables in each step, BigQuery\'s fence table aside', () => {
    // The fence table is BigQuery's: its merge is a transaction that must check the lease inside it;
    // DuckDB's commit is one rename made under the local lease's mutex.
    for (const file of templateNames('duckdb')) {
      const name = file.replace(/\.sql$/, '');
      const [duck, bq] = DIALECTS.map((d) => writtenTables(loadTemplate(d, name)));
      // DuckDB also mirrors trips and the zones into the `nyc_taxi` schema (BigQuery's dataset name), and
      // its stage numbers the repeated rows in a scratch table first (BigQuery's window does it in place).
      expect(bq!.filter((t) => t !== 'fence_table'), file).toEqual(duck!.filter((t) => !t.startsWith('analyst_') && t !== 'copies_table'));
      if (name === '02_stage') expect(duck, file).toContain('copies_table');
      if (name === '00_tables' || name === '03_merge') expect(bq, file).toContain('fence_table');
      if (name !== '08_descriptions') expect(duck!.length, file).toBeGreaterThan(0);
    }
  });

  it('assign the same four quarantine reasons in the same precedence', () => {
    for (const d of DIALECTS) {
      expect(reasonOrder(loadTemplate(d, '02_stage')), d).toEqual([...QUARANTINE_REASONS]);
    }
  });

  it('give quarantine rows the same columns', () => {
    // BigQuery declares a table; DuckDB's quarantine is a view (empty until a month lands, then over the
    // partition files), so its columns are the names its SELECTs give.
    const declared = (sql: string) => /\{\{quarantine_table\}\}\s*\(([^)]*)\)/.exec(sql)![1]!.split(',').map((l) => l.trim().split(/\s+/)[0]);
    const selected = (sql: string) => {
      const body = /VIEW (?:IF NOT EXISTS )?\{\{quarantine_table\}\} AS\s+SELECT([\s\S]*?)\bFROM\b|VIEW (?:IF NOT EXISTS )?\{\{quarantine_table\}\} AS\s+SELECT([\s\S]*?)\bWHERE\b/.exec(sql)!;
      return (body[1] ?? body[2])!.split(',').map((c) => c.trim().split(/\s+/).pop());
    };
    const bq = declared(loadTemplate('bigquery', '00_tables'));
    expect(bq).toEqual(['filename', 'reason', 'detail', 'raw_line', 'quarantined_at']);
    expect(selected(loadTemplate('duckdb', '00_tables'))).toEqual(bq);
    expect(selected(loadTemplate('duckdb', '04_quarantine'))).toEqual(bq);
  });
});

describe('BigQuery month replacement', () => {
  const plan = planBigQuery({ taxi: 'yellow', month: '2020-12', project: 'p-roject', dataset: 'ds' });
  const merge = plan.filter((s) => marker(s.sql, 'name') === 'merge');

  it('is one MERGE matching rows by id, with the month bounds in ON and in every WHEN that touches rows', () => {
    expect(merge).toHaveLength(1);
    const sql = merge[0]!.sql.replace(/--.*$/gm, '').trim();
    expect(sql).toMatch(/^MERGE INTO `p-roject\.ds\.yellow_tripdata` AS t/);
    expect(sql).toContain("ON t.unique_row_id = s.unique_row_id AND t.`tpep_pickup_datetime` >= DATETIME '2020-12-01 00:00:00' AND t.`tpep_pickup_datetime` < DATETIME '2021-01-01 00:00:00'");
    expect(sql).toContain('WHEN MATCHED AND t.filename != s.filename THEN\n  UPDATE SET filename = s.filename');
    const bounds = "`tpep_pickup_datetime` >= DATETIME '2020-12-01 00:00:00' AND %.`tpep_pickup_datetime` < DATETIME '2021-01-01 00:00:00'";
    expect(sql).toContain(`WHEN NOT MATCHED BY TARGET AND s.${bounds.replace('%', 's')} THEN\n  INSERT (\`VendorID\`, `);
    expect(sql).toMatch(/VALUES \(s\.`VendorID`, [^)]*s\.`cbd_congestion_fee`, s\.unique_row_id, s\.filename\)/);
    expect(sql).toContain(`WHEN NOT MATCHED BY SOURCE AND t.${bounds.replace('%', 't')} THEN DELETE`);
    expect(sql).not.toMatch(/BEGIN|COMMIT|TRANSACTION/i);
  });

  it('inlines every parameter', () => {
    for (const s of plan) expect(s.sql, s.step).not.toMatch(/@\w+/);
  });
});

describe('unique_row_id', () => {
  it('hashes the same canonical text in both dialects: typed values in canonical order and form, NULL as empty, joined by commas', async () => {
    const duck = await import('../../functions/src/adapters/duckdb/dialect.js');
    const bq = await import('../../functions/src/adapters/bigquery/dialect.js');
    const { dataset, TAXIS } = await import('../../functions/src/domain/datasets.js');
    const { matchSchema } = await import('../../functions/src/domain/schema-contract.js');
    for (const taxi of TAXIS) {
      const ds = dataset(taxi);
      for (const format of ['csv', 'parquet'] as const) {
        // a file listing its columns in reverse: the canonical text must not follow the file's order
        const fileColumns = ds.columns.map((c) => ({ name: c.name, type: format === 'csv' ? ('text' as const) : ({ integer: 'float', numeric: 'float', timestamp: 'timestamp', string: 'string' } as const)[c.kind] })).reverse();
        const match = matchSchema(ds, '2025-01', fileColumns);
        const file = { format, bindings: match.bindings, evolved: match.evolved, fieldCount: fileColumns.length };
        const names = (text: string) => [...text.matchAll(/[`"](\w+)[`"]/g)].map((m) => m[1]);
        const d = duck.datasetSlots(ds, file, '"ext"').row_id;
        const b = bq.datasetSlots(ds, file, '`ext`').canonical_text;
        expect(names(b)).toEqual(ds.columns.map((c) => c.name));
        expect(names(d)).toEqual(names(b));
        expect(d).toMatch(/^md5\(concat_ws\(',', coalesce\(/);
        expect(b).toMatch(/^ARRAY_TO_STRING\(\[COALESCE\(.*\], ','\)$/);
        // the same form per kind: microsecond times, nine decimals, integers as digits
        expect(d.includes("'%Y-%m-%d %H:%M:%S.%f'")).toBe(b.includes("'%Y-%m-%d %H:%M:%E6S'"));
        expect(b.match(/FORMAT\('%\.9f'/g)?.length ?? 0).toBe(ds.columns.filter((c) => c.kind === 'numeric').length);
      }
    }
    const stage = loadTemplate('bigquery', '02_stage');
    expect(stage).toContain('TO_HEX(MD5({{canonical_text}})) AS unique_row_id');
    // The embedded warehouse computes the id when the staging and main views are read.
    expect(loadTemplate('duckdb', '02_stage')).toContain('REPLACE ({{row_id}} AS unique_row_id)');
    expect(loadTemplate('duckdb', '03_merge')).toContain('coalesce(unique_row_id, {{view_row_id}}) AS unique_row_id');
  });

  it('adds an evolved column to the text only when it holds a value, in both dialects', async () => {
    const duck = await import('../../functions/src/adapters/duckdb/dialect.js');
    const bq = await import('../../functions/src/adapters/bigquery/dialect.js');
    const { dataset } = await import('../../functions/src/domain/datasets.js');
    const { matchSchema } = await import('../../functions/src/domain/schema-contract.js');
    const ds = dataset('green');
    const fileColumns = [...ds.columns.map((c) => ({ name: c.name, type: 'text' as const })), { name: 'new_fee', type: 'text' as const }];
    const match = matchSchema(ds, '2025-01', fileColumns, 'evolve');
    const file = { format: 'csv' as const, bindings: match.bindings, evolved: match.evolved, fieldCount: fileColumns.length };
    const d = duck.datasetSlots(ds, file, '"ext"').row_id;
    const b = bq.datasetSlots(ds, file, '`ext`').canonical_text;
    // last, and not coalesced to '': concat_ws and ARRAY_TO_STRING skip a NULL, so rows without it keep their ids
    expect(d).toMatch(/, "new_fee"\)\)$/);
    expect(b).toMatch(/, `new_fee`\], ','\)$/);
  });
});
