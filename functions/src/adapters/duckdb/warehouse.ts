/**
 * The embedded warehouse: DuckDB in one file under the data dir, running `sql/duckdb/` templates.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { dataset } from '../../domain/datasets.js';
import { monthBounds } from '../../domain/months.js';
import { mainTable, quarantineTable, releaseFileName, stagingTable } from '../../domain/naming.js';
import { stageCountsFromRows, type MergeCounts, type StageCounts } from '../../domain/summary.js';
import type { MonthJob, PlannedStatement, StepStats, Warehouse } from '../../ports/warehouse.js';
import { MERGE_STEPS, STAGE_STEPS, TEMPLATE_FILES, loadTemplate, renderTemplate, splitStatements } from '../shared/sql-template.js';
import { datasetSlots, ident, literal } from './dialect.js';

type Param = string;
interface Statement extends PlannedStatement {
  params: Record<string, Param>;
}


/** Replace `$name` parameters with literals, for `plan`. */
export function inlineParams(sql: string, params: Record<string, Param>): string {
  return sql.replace(/\$(\w+)/g, (whole, name: string) => (name in params ? literal(params[name]!) : whole));
}

// One queue per database file: DuckDB runs each statement on every core already, and serialising the
// writers of one process avoids catalog write-write conflicts when several months load at once.
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.then(work, work);
  queues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

const instances = new Map<string, Promise<DuckDBInstance>>();

/** DuckDB implementation of the warehouse port. */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private instance?: Promise<DuckDBInstance>;

  /**
   * @param path database file, created on first use
   * @param settings DuckDB settings for the instance, e.g. `memory_limit`; a limit makes DuckDB spill
   *   to `<path>.tmp/` instead of growing past it
   */
  constructor(
    private readonly path: string,
    private readonly settings: Record<string, string> = {},
  ) {}

  private async connect(): Promise<DuckDBConnection> {
    if (!this.instance) {
      // DuckDB allows one open instance per file and process: share it between warehouse objects.
      let shared = instances.get(this.path);
      if (!shared) {
        if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
        shared = DuckDBInstance.create(this.path, {
          // Row order inside a table carries no meaning here, and keeping it costs memory.
          preserve_insertion_order: 'false',
          ...(this.path !== ':memory:' ? { temp_directory: `${this.path}.tmp` } : {}),
          ...this.settings,
        });
        instances.set(this.path, shared);
      }
      this.instance = shared;
    }
    return (await this.instance).connect();
  }

  private statements(job: MonthJob, steps: readonly string[]): Statement[] {
    const ds = dataset(job.taxi);
    const { start, end } = monthBounds(job.month);
    const slots: Record<string, string> = {
      ...datasetSlots(ds, job.object.meta.columns),
      main_table: ident(mainTable(job.taxi)),
      quarantine_table: ident(quarantineTable(job.taxi)),
      staging_table: ident(stagingTable(job.taxi, job.month)),
      external_table: ident(`${stagingTable(job.taxi, job.month)}_external`),
      raw_uri: literal(job.object.uri),
    };
    const params: Record<string, Param> = {
      month: job.month,
      month_start: start,
      month_end: end,
      filename: releaseFileName(job.taxi, job.month),
    };
    const out: Statement[] = [];
    for (const step of steps) {
      const template = loadTemplate('duckdb', TEMPLATE_FILES[step]!);
      const used = Object.fromEntries(Object.entries(slots).filter(([k]) => template.includes(`{{${k}}}`)));
      for (const sql of splitStatements(renderTemplate(template, used))) {
        const own = Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
        out.push({ step, sql, params: own });
      }
    }
    return out;
  }

  plan(job: MonthJob): PlannedStatement[] {
    return [...this.statements(job, STAGE_STEPS), ...this.statements(job, MERGE_STEPS)].map((s) => ({
      step: s.step,
      sql: inlineParams(s.sql, s.params),
    }));
  }

  async stage(job: MonthJob): Promise<StageCounts & StepStats> {
    return serialised(this.path, async () => {
      const con = await this.connect();
      try {
        for (const s of this.statements(job, STAGE_STEPS)) await con.run(s.sql, s.params);
        return await this.count(con, job);
      } finally {
        con.closeSync();
      }
    });
  }

  async stagedCounts(job: MonthJob): Promise<StageCounts> {
    const con = await this.connect();
    try {
      return await this.count(con, job);
    } finally {
      con.closeSync();
    }
  }

  private async count(con: DuckDBConnection, job: MonthJob): Promise<StageCounts> {
    const reader = await con.runAndReadAll(
      `SELECT coalesce(reason, 'staged') AS reason, count(*) AS n FROM ${ident(stagingTable(job.taxi, job.month))} GROUP BY ALL`,
    );
    return stageCountsFromRows(reader.getRowObjectsJS() as { reason: unknown; n: unknown }[]);
  }

  async replaceMonth(job: MonthJob): Promise<MergeCounts & StepStats> {
    return serialised(this.path, async () => {
      const con = await this.connect();
      try {
        await con.run('BEGIN TRANSACTION');
        try {
          let inserted = 0;
          let deleted = 0;
          for (const s of this.statements(job, MERGE_STEPS)) {
            const result = await con.run(s.sql, s.params);
            if (s.step !== 'merge') continue;
            if (result.statementType === StatementType.DELETE) deleted = Number(result.rowsChanged);
            else if (result.statementType === StatementType.INSERT) inserted = Number(result.rowsChanged);
          }
          const { start, end } = monthBounds(job.month);
          const pickup = ident(dataset(job.taxi).pickupColumn);
          const rowsLoaded = Number(
            (
              await con.runAndReadAll(
                `SELECT count(*) AS n FROM ${ident(mainTable(job.taxi))} WHERE ${pickup} >= CAST($s AS TIMESTAMP) AND ${pickup} < CAST($e AS TIMESTAMP)`,
                { s: start, e: end },
              )
            ).getRowObjectsJS()[0]!.n,
          );
          await con.run('COMMIT');
          return { inserted, deleted, rowsLoaded };
        } catch (err) {
          await con.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        con.closeSync();
      }
    });
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const con = await this.connect();
    try {
      const reader = await con.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      con.closeSync();
    }
  }

  async close(): Promise<void> {
    if (!this.instance) return;
    const inst = await this.instance;
    this.instance = undefined;
    if (instances.get(this.path) !== undefined) {
      instances.delete(this.path);
      inst.closeSync();
    }
  }
}
