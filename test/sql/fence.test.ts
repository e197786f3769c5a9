/**
 * The BigQuery merge transaction's fence, run for real: its statements (`sql/bigquery/03_merge.sql`,
 * rendered by the adapter with a lease's token and holder) go through ZetaSQL's reference
 * implementation over a fence table's rows, in the order the script runs them. A zombie whose lease was
 * taken over must fail before the MERGEs; the holder of the newest token, a retry of it, and a month's
 * first merge must pass. (Conflicts between overlapping transactions are BigQuery's to detect; the
 * adapter's retry of an aborted transaction is tested with the loopback BigQuery.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryWarehouse, placeholderObject } from '../../functions/src/adapters/bigquery/warehouse.js';
import { marker } from '../../functions/src/adapters/shared/sql-template.js';
import type { MonthJob } from '../../functions/src/ports/warehouse.js';
import { Analyzer, createdTable, type Cell } from './zetasql-harness.js';

const FENCES = 'nyc-taxi-test.nyc_taxi.month_fences';
const JOB: MonthJob = { taxi: 'green', month: '2020-10', object: placeholderObject('green', '2020-10', 'parquet', 'lake') };
const warehouse = new BigQueryWarehouse({ project: 'nyc-taxi-test', dataset: 'nyc_taxi', location: 'EU', client: () => { throw new Error('offline'); } });
let analyzer: Analyzer;

beforeAll(async () => {
  analyzer = await Analyzer.start();
  const create = warehouse.statements(JOB, ['tables']).find((s) => s.sql.includes('month_fences'))!;
  const table = createdTable(await analyzer.analyze(create.sql))!;
  expect(table.name).toBe(FENCES);
  expect(table.columns.map((c) => c.name)).toEqual(['taxi', 'month', 'token', 'holder', 'committed_at']);
  analyzer.register(table.name, table.columns);
}, 30_000);
afterAll(() => analyzer?.stop());

type Row = [taxi: string, month: string, token: bigint, holder: string, committedAt: null];

/** The fence statements of the merge script for a lease, with their parameters as cells. */
function fenceStatements(token: string, holder: string) {
  const lease = { token, holder, fence: <T>(commit: () => Promise<T>) => commit() };
  const script = warehouse.statements({ ...JOB, run: holder }, ['merge'], lease);
  const byName = new Map(script.map((s) => [marker(s.sql, 'name'), s]));
  const cells = (params: Record<string, { type: string; value: string | null }>) =>
    Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.type === 'INT64' ? BigInt(p.value!) : (p.value as Cell)]));
  return ['fence_claim', 'fence_insert', 'fence_check'].map((name) => {
    const s = byName.get(name);
    if (!s) throw new Error(`no ${name} statement in the merge script`);
    return { name, sql: s.sql, params: cells(s.params) };
  });
}

/** Run the fence as the script does; the fence table afterwards, or the error the check raised. */
async function fence(rows: Row[], token: string, holder: string): Promise<Row[]> {
  let table: Row[] = rows.map((r) => [...r] as Row);
  for (const st of fenceStatements(token, holder)) {
    const out = await analyzer.evaluate(st.sql, { [FENCES]: table as Cell[][] }, st.params);
    if (st.name === 'fence_check') {
      expect(out.rows).toEqual([['lease held']]);
      continue;
    }
    out.rows.forEach((r, i) => {
      const row = [r[0], r[1], r[2], r[3], null] as Row; // committed_at: the engine's CURRENT_TIMESTAMP()
      if (out.ops[i] === 1) table.push(row);
      else if (out.ops[i] === 3) table = table.map((t) => (t[0] === row[0] && t[1] === row[1] ? row : t));
      else throw new Error(`unexpected operation ${out.ops[i]}`);
    });
  }
  return table;
}

describe('the merge transaction\'s fence, evaluated by ZetaSQL\'s reference implementation', () => {
  const other: Row = ['green', '2020-11', 99n, 'exec-other', null];

  it('a month\'s first merge inserts its row and passes; other months are untouched', async () => {
    expect(await fence([other], '7', 'exec-a')).toEqual([other, ['green', '2020-10', 7n, 'exec-a', null]]);
  });

  it('a newer lease token takes the row over and passes', async () => {
    expect(await fence([other, ['green', '2020-10', 5n, 'exec-old', null]], '7', 'exec-b')).toEqual([other, ['green', '2020-10', 7n, 'exec-b', null]]);
  });

  it('a retry of the same execution, same token, passes', async () => {
    expect(await fence([['green', '2020-10', 7n, 'exec-b', null]], '7', 'exec-b')).toEqual([['green', '2020-10', 7n, 'exec-b', null]]);
  });

  it('a zombie with an older token is refused by ERROR, naming who committed the month', async () => {
    await expect(fence([other, ['green', '2020-10', 9n, 'exec-new', null]], '7', 'exec-zombie')).rejects.toThrow(
      "lease lost: green 2020-10 was committed by execution exec-new with lease token 9, newer than this execution's 7; nothing was committed",
    );
  });

  it('GCS generations (16 digits) compare as numbers, not text', async () => {
    await expect(fence([['green', '2020-10', 10_000_000_000_000_000n, 'exec-new', null]], '9999999999999999', 'exec-zombie')).rejects.toThrow(/lease lost/);
    expect((await fence([['green', '2020-10', 9_999_999_999_999_999n, 'exec-old', null]], '10000000000000000', 'exec-b'))[0]![2]).toBe(10_000_000_000_000_000n);
  });
});
