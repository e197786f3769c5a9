/**
 * The embedded warehouse: DuckDB running `sql/duckdb/` templates, with its catalog in one file under the
 * data dir and its rows in Parquet files beside it (`tables/`): one staging file per month, and one
 * partition file per loaded month, which the main and quarantine tables are views over.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PipelineError } from '../../domain/errors.js';
import { dataset, TAXIS, type Column, type ColumnKind } from '../../domain/datasets.js';
import { createHash } from 'node:crypto';
import { datasetObjects, describedObjects, type DescribedObject } from '../../domain/descriptions.js';
import { TRIPS_VIEW } from '../../domain/trips.js';
import { ZONES } from '../../domain/zones.js';
import { sizeBytes } from '../../domain/sizes.js';
import type { StoredObject } from '../../ports/object-store.js';
import { allColumnsJob } from '../shared/planned-object.js';
import { descriptionSlots, tripsSelect, zoneSelect, type CatalogDialect } from '../shared/catalog-sql.js';
import { monthBounds } from '../../domain/months.js';
import { ANALYST_SCHEMA, mainTable, quarantineTable, releaseFileName, stagingTable } from '../../domain/naming.js';
import { stageCountsFromRows, type MergeCounts, type StageCounts } from '../../domain/summary.js';
import { UNFENCED, type Fence, type MonthJob, type PlannedStatement, type StepStats, type Warehouse } from '../../ports/warehouse.js';
import { fileSchema } from '../shared/file-schema.js';
import { LEDGER_COLUMNS, LEDGER_TABLE, type LedgerEntry } from '../../domain/ledger.js';
import type { Ledger, LedgerFilter } from '../../ports/ledger.js';
import { ledgerRow, ledgerStatements, type LedgerDialect } from '../shared/ledger-row.js';
import { removeDeadTemps, tempName } from '../shared/leftovers.js';
import { CATALOG_STEPS, MERGE_STEPS, STAGE_STEPS, forFormat, marker, renderStep } from '../shared/sql-template.js';
import { DUCKDB_TYPES, datasetSlots, ident, literal, rowHashSql, rowIdSql } from './dialect.js';

/** The catalog templates' dialect: objects in the main schema, comments as COMMENT ON statements. */
const DUCKDB_CATALOG: CatalogDialect = {
  ident,
  literal,
  types: DUCKDB_TYPES,
  table: ident,
  columnDescriptions: (object, columns) => columns.map((c) => `COMMENT ON COLUMN ${object}.${ident(c.name)} IS ${literal(c.description)}`).join(';\n'),
};

/** DuckDB keeps the main and quarantine tables, and trips, as views. */
const DUCKDB_KIND: Record<DescribedObject['role'], 'TABLE' | 'VIEW'> = { main: 'VIEW', quarantine: 'VIEW', trips: 'VIEW', zones: 'TABLE', ledger: 'TABLE' };


/** DuckDB's ledger columns: parameters cast to the column type, instants as ISO text with milliseconds. */
const DUCKDB_LEDGER: LedgerDialect = {
  dialect: 'duckdb',
  types: { string: 'VARCHAR', integer: 'BIGINT', instant: 'TIMESTAMP' },
  ident,
  value: (name, type) => `CAST($${name} AS ${type})`,
  isoText: (column) => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`,
};

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

/**
 * One open DuckDB instance per database file and process, shared by the steps running at once and
 * closed shortly after the last of them ends: DuckDB locks the file for one process, so a run holding it
 * open between its steps would make another CLI process (another month, or the same one waiting for its
 * lease) wait for the whole run. The short linger lets the several calls of one step (merge reads the
 * staging's source and counts, replaces the month, then the ledger appends) share one opening instead
 * of paying ~20 ms to open and close each time.
 */
interface SharedInstance {
  instance: Promise<DuckDBInstance>;
  users: number;
  closing?: ReturnType<typeof setTimeout>;
}
const instances = new Map<string, SharedInstance>();
const LINGER_MS = 100;

/** What a CSV line takes in a DuckDB table, about: the text (85-110 bytes in the TLC files) and its header. */
const LINE_BYTES = 128;

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isLockError = (err: unknown) => /Could not set lock on file|Conflicting lock is held/i.test(String((err as Error)?.message ?? err));

let duckdb: Promise<typeof import('@duckdb/node-api')> | undefined;
/**
 * Load DuckDB's API and native library (40-100 ms, mostly on the main thread). Loaded on first use, or
 * earlier by a caller that knows it will be needed: the embedded stack loads it before the first step.
 */
export function loadDuckDb(): Promise<typeof import('@duckdb/node-api')> {
  // A CommonJS package: Node's import gives its exports as named ones and as `default`, the CLI
  // bundle's split chunk as `default` only.
  duckdb ??= import('@duckdb/node-api').then((m) => (m.DuckDBInstance ? m : (m.default as unknown as typeof m)));
  return duckdb;
}

/** The files behind one month's tables. */
interface MonthFiles {
  /** The staged rows of the month: what the staging table reads. */
  staged: string;
  /** Where stage writes first, and rewrites when it marks duplicates; renamed to `staged` at the end. */
  write: string;
  rewrite: string;
  /** The month's partition of the main and quarantine tables. */
  partition: string;
  /** Every partition of the dataset. */
  glob: string;
}

/**
 * The share of the memory limit the stage's two sorts run with: `copies` sorts a (row, hash) pair per
 * row of the file (16 bytes: 320 MB for a 20M-row fhvhv month), `checks` a hash per loaded row, and
 * each spills what does not fit. Memory they free is kept by DuckDB's allocator (jemalloc) for a while
 * and not reused by the statement after, so its peak adds to theirs: with the whole 512 MB limit the
 * fhvhv stage peaked at 790–830 MiB in a bare process (in `write`, after `copies`, or in `checks`), at
 * 5/8 of it at 510–570 MiB, for ~0.5 s more of sorting (spilled) in a 17 s month. Months of a few
 * million rows stay under either limit and do not spill.
 */
const SORT_MEMORY_SHARE = 5 / 8;

/** Columns of a partition file that are the row's fate and bookkeeping, not the table's. */
const PARTITION_INTERNAL = ['reason', 'detail', 'raw_line', 'staged_at', 'row_hash', 'pair_id'] as const;

/** What merge's templates need to know of the partition files already in place. */
interface PartitionSlots {
  /** `row_hash` computed from the month's previous partition file's own columns. */
  rowHash?: string;
  /** `unique_row_id` over every column the partitions hold (evolved ones included). */
  viewRowId?: string;
}

/** The logical kind of each type a partition column has (stage casts every column to its kind's type). */
const KIND_OF_TYPE = new Map(Object.entries(DUCKDB_TYPES).map(([kind, type]) => [type, kind as ColumnKind]));

/** Statements of a template file, by the `-- name: x` line each starts with. */
function byName(statements: Statement[]): Map<string, Statement> {
  const out = new Map<string, Statement>();
  for (const s of statements) {
    const name = marker(s.sql, 'name');
    if (name) out.set(name, s);
  }
  return out;
}

/**
 * Point `target` at the bytes of `source` in one atomic rename (a hard link; a copy where links are not
 * possible). Sharing the file is safe because no Parquet file here is ever written in place: a new stage
 * writes a new file and renames it over the staging name, leaving the linked partition as it was.
 */
function publish(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), tempName(`.${basename(target)}`, 'tmp'));
  try {
    try {
      linkSync(source, tmp);
    } catch {
      copyFileSync(source, tmp);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** DuckDB implementation of the warehouse and ledger ports. */
export class DuckDbWarehouse implements Warehouse, Ledger {
  readonly dialect = 'duckdb' as const;
  /**
   * DuckDB reads the lake's files where they lie: a CSV's text needs no second inflate (see
   * MonthJob.plainText). Only a month whose lines are held in memory is read from its text: a streamed
   * one is read on both cores from it, which took its duplicate pass from 822 to 957 MiB for 7.6M lines
   * and saved ~1 s of 21.
   */
  get plainTextLines(): number {
    const limit = sizeBytes(this.settings.memory_limit);
    return limit === null ? Number.MAX_SAFE_INTEGER : Math.floor(limit / 2 / LINE_BYTES);
  }

  /** Folder of the Parquet files: `tables/` beside the database file. */
  readonly tablesDir: string;

  /**
   * @param path database file (the catalog), created on first use
   * @param settings DuckDB settings for the instance, e.g. `memory_limit`; a limit makes DuckDB spill
   *   to `<path>.tmp/` instead of growing past it
   * @param lockWaitMs how long to wait for another process to let go of the database file
   */
  constructor(
    private readonly path: string,
    private readonly settings: Record<string, string> = {},
    private readonly lockWaitMs = 600_000,
  ) {
    this.tablesDir = path === ':memory:' ? join(tmpdir(), `taxi-elt-${process.pid}`, 'tables') : join(dirname(path), 'tables');
  }

  private files(job: MonthJob): MonthFiles {
    const staging = stagingTable(job.taxi, job.month);
    const main = join(this.tablesDir, mainTable(job.taxi));
    return {
      staged: join(this.tablesDir, 'staging', `${staging}.parquet`),
      write: join(this.tablesDir, 'staging', tempName(`.${staging}`, 'write')),
      rewrite: join(this.tablesDir, 'staging', tempName(`.${staging}`, 'rewrite')),
      partition: join(main, `${job.month}.parquet`),
      glob: join(main, '*.parquet'),
    };
  }

  /**
   * Open the database, waiting (with backoff, up to `lockWaitMs`) while another process holds its file
   * lock. Once the lock is ours no other process uses the database, so its spill folder holds only what a
   * killed process left: it is emptied.
   */
  private async open(): Promise<DuckDBInstance> {
    const { DuckDBInstance } = await loadDuckDb();
    const memory = this.path === ':memory:';
    if (!memory) mkdirSync(dirname(this.path), { recursive: true });
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const instance = await DuckDBInstance.create(this.path, {
          // Row order inside a table carries no meaning here, and keeping it costs memory.
          preserve_insertion_order: 'false',
          ...(memory ? {} : { temp_directory: `${this.path}.tmp` }),
          ...this.settings,
        });
        const spill = `${this.path}.tmp`;
        if (!memory && existsSync(spill)) for (const f of readdirSync(spill, { withFileTypes: true })) if (f.isFile()) rmSync(join(spill, f.name), { force: true });
        return instance;
      } catch (err) {
        if (!isLockError(err)) throw err;
        if (Date.now() - started >= this.lockWaitMs) {
          throw new PipelineError('busy', `${this.path} is in use by another process (DuckDB's file lock) after waiting ${Math.round((Date.now() - started) / 1000)} s`);
        }
        await sleepMs(Math.min(1_000, 25 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  /** Run `work` on a connection of the shared instance, opening it first and closing it after the last user. */
  private async session<T>(work: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    let shared = instances.get(this.path);
    if (!shared) {
      shared = { instance: this.open(), users: 0 };
      instances.set(this.path, shared);
      const mine = shared;
      mine.instance.catch(() => instances.get(this.path) === mine && instances.delete(this.path));
    }
    clearTimeout(shared.closing);
    shared.users++;
    try {
      const con = await (await shared.instance).connect();
      try {
        return await work(con);
      } finally {
        con.closeSync();
      }
    } finally {
      shared.users--;
      // An in-memory database lives as long as its instance: only close() ends it.
      if (shared.users === 0 && this.path !== ':memory:') {
        const idle = shared;
        idle.closing = setTimeout(() => void this.closeIdle(idle), LINGER_MS);
        idle.closing.unref?.();
      }
    }
  }

  /**
   * Whether the stage numbers the month's rows, so that repeated rows are paired before the write: a
   * Parquet file's always (file_row_number); a CSV's when its lines are held in memory, which they are
   * when they take at most half of DuckDB's memory limit. A full yellow month (7.6M lines, ~1 GB in a
   * table) held in memory took the process past 1 GiB; streamed, it stays within it.
   */
  private rowsNumbered(job: MonthJob): boolean {
    if (fileSchema(job).format !== 'csv') return true;
    return job.object.meta.dataLines <= this.plainTextLines;
  }

  /** The stage's scratch table of the rows paired before the write, by number (a temporary table of its connection). */
  private copiesTable(job: MonthJob): string {
    return ident(`${stagingTable(job.taxi, job.month)}_copies`);
  }

  private statements(job: MonthJob, steps: readonly string[], files: MonthFiles = this.files(job), partition: PartitionSlots = {}): Statement[] {
    const ds = dataset(job.taxi);
    const file = fileSchema(job);
    const { start, end } = monthBounds(job.month);
    const external = ident(`${stagingTable(job.taxi, job.month)}_external`);
    const numbered = this.rowsNumbered(job);
    const own = datasetSlots(ds, file, external, numbered);
    const slots: Record<string, string> = {
      ...own,
      // What merge reads of the files already in place; as this month's own file until it has looked.
      partition_row_hash: partition.rowHash ?? own.row_hash,
      view_row_id: partition.viewRowId ?? own.row_id,
      partition_own_columns: [...PARTITION_INTERNAL, 'unique_row_id', 'filename'].map(literal).join(', '),
      main_table: ident(mainTable(job.taxi)),
      quarantine_table: ident(quarantineTable(job.taxi)),
      staging_table: ident(stagingTable(job.taxi, job.month)),
      external_table: external,
      copies_table: this.copiesTable(job),
      // The lines of the file: its inflated text when extract kept it (the same lines, read without
      // gzip), for a month held in memory; a streamed one is read from the gzip (see plainTextLines).
      raw_uri: literal(job.plainText && numbered ? job.plainText : job.object.uri),
      staging_write: literal(files.write),
      raw_sha256: literal(job.object.meta.sha256),
      staging_rewrite: literal(files.rewrite),
      staging_file: literal(files.staged),
      partition_file: literal(files.partition),
      partition_glob: literal(files.glob),
    };
    const params: Record<string, Param> = {
      month: job.month,
      month_start: start,
      month_end: end,
      filename: releaseFileName(job.taxi, job.month, file.format),
      staged_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    };
    const out: Statement[] = [];
    for (const step of steps) {
      for (const sql of forFormat(renderStep('duckdb', step, slots), file.format)) {
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

  async stage(job: MonthJob, fence: Fence = UNFENCED): Promise<StageCounts & StepStats> {
    return serialised(this.path, () => this.session(async (con) => {
      const files = this.files(job);
      // The caller owns the month: a write file of it whose process is gone is a killed stage's leftover.
      removeDeadTemps(dirname(files.staged), `.${stagingTable(job.taxi, job.month)}.`);
      try {
        await this.refuseOldLayout(con, job);
        mkdirSync(dirname(files.staged), { recursive: true });
        const all = this.statements(job, STAGE_STEPS, files);
        for (const s of all.filter((x) => x.step !== 'stage')) await con.run(s.sql, s.params);
        const stage = byName(all.filter((x) => x.step === 'stage'));
        const run = (name: string) => con.runAndReadAll(stage.get(name)!.sql, stage.get(name)!.params);
        // Repeated rows are paired before the write, so that it gives each copy its fate (see 02_stage);
        // rows without a number (lines streamed from the file) are not: the checks after the write find them.
        if (this.rowsNumbered(job)) await this.withinMemoryShare(con, SORT_MEMORY_SHARE, () => run('copies'));
        else await con.run(`CREATE OR REPLACE TEMP TABLE ${this.copiesTable(job)} (source_row BIGINT, copy BOOLEAN)`);
        await run('write');
        const checks = async () => {
          const row = (await this.withinMemoryShare(con, SORT_MEMORY_SHARE, () => run('checks'))).getRowObjectsJS()[0]!;
          return { unmatched: Number(row.unmatched), duplicates: Number(row.duplicates) };
        };
        const first = await checks();
        let duplicates = first.duplicates;
        // Only a hash collision between two different rows pairs a copy with nothing: write again
        // without pairs, and the duplicates are then all found after the write.
        if (first.unmatched > 0) {
          await con.run(`DELETE FROM ${this.copiesTable(job)}`);
          // Written afresh: over an existing file DuckDB first writes a `tmp_` file beside it, which a
          // kill would leave under a name the next stage's clean-up does not know.
          rmSync(files.write, { force: true });
          await run('write');
          duplicates = (await checks()).duplicates;
        }
        if (duplicates > 0) await run('rewrite');
        // The swap-in: an execution that lost the month meanwhile leaves the newer run's staging alone.
        await fence.fence(async () => renameSync(duplicates > 0 ? files.rewrite : files.write, files.staged));
        await run('view');
        return await this.count(con, job);
      } finally {
        rmSync(files.write, { force: true });
        rmSync(files.rewrite, { force: true });
      }
    }));
  }

  /**
   * Run `work` with DuckDB's memory limit lowered to `share` of the configured one, then put it back
   * (no limit configured: as it is). The stage holds the database alone while it runs (`serialised`).
   */
  private async withinMemoryShare<T>(con: DuckDBConnection, share: number, work: () => Promise<T>): Promise<T> {
    const limit = sizeBytes(this.settings.memory_limit);
    if (limit === null) return work();
    await con.run(`SET memory_limit = ${literal(`${Math.floor((limit * share) / 2 ** 20)}MiB`)}`);
    try {
      return await work();
    } finally {
      await con.run(`SET memory_limit = ${literal(this.settings.memory_limit!)}`);
    }
  }

  /**
   * Data dirs written before the month partitions kept the main table as a DuckDB table; the views
   * cannot replace it, and a DuckDB catalog error would not say why.
   */
  private async refuseOldLayout(con: DuckDBConnection, job: MonthJob): Promise<void> {
    const reader = await con.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_name IN ($main, $quarantine)`, {
      main: mainTable(job.taxi),
      quarantine: quarantineTable(job.taxi),
    });
    const old = reader.getRowObjectsJS().map((r) => String(r.table_name));
    if (old.length) {
      throw new PipelineError(
        'bad_request',
        `${this.path} holds ${old.join(' and ')} as tables of an earlier storage layout (now views over month partition files): load into a new data dir`,
      );
    }
  }

  private requireStaged(job: MonthJob, files: MonthFiles): void {
    if (!existsSync(files.staged)) {
      throw new PipelineError('bad_request', `nothing is staged for ${job.taxi} ${job.month}: run stage first`);
    }
  }

  async stagedSource(job: MonthJob): Promise<string | null> {
    const { staged } = this.files(job);
    if (!existsSync(staged)) return null;
    return this.session(async (con) => {
      const rows = (await con.runAndReadAll(`SELECT CAST(value AS VARCHAR) AS v FROM parquet_kv_metadata($file) WHERE CAST(key AS VARCHAR) = 'raw_sha256'`, { file: staged })).getRowObjectsJS();
      return rows.length ? String(rows[0]!.v) : null;
    });
  }

  async stagedCounts(job: MonthJob): Promise<StageCounts> {
    this.requireStaged(job, this.files(job));
    return this.session((con) => this.count(con, job));
  }

  private async count(con: DuckDBConnection, job: MonthJob): Promise<StageCounts> {
    const reader = await con.runAndReadAll(
      `SELECT coalesce(reason, 'staged') AS reason, count(*) AS n FROM ${ident(stagingTable(job.taxi, job.month))} GROUP BY ALL`,
    );
    return stageCountsFromRows(reader.getRowObjectsJS() as { reason: unknown; n: unknown }[]);
  }

  async replaceMonth(job: MonthJob, fence: Fence = UNFENCED): Promise<MergeCounts & StepStats> {
    return serialised(this.path, () => this.session(async (con) => {
      const files = this.files(job);
      this.requireStaged(job, files);
      removeDeadTemps(dirname(files.partition), `.${basename(files.partition)}.`);
      const staged = await this.count(con, job);
      let inserted = staged.staged;
      let deleted = 0;
      if (existsSync(files.partition)) {
        // The previous file's own columns: one written before a column joined the dataset lacks it.
        const columns = await this.fileColumns(con, `SELECT name AS column_name, type AS column_type FROM parquet_schema(${literal(files.partition)})`);
        const rowHash = rowHashSql(fileSchema(job).bindings.map((b) => b.column), (c) => columns.has(c.name));
        const changes = byName(this.statements(job, ['merge'], files, { rowHash })).get('changes')!;
        const row = (await con.runAndReadAll(changes.sql, changes.params)).getRowObjectsJS()[0]!;
        inserted = Number(row.inserted);
        deleted = Number(row.deleted);
      }
      // The commit: the month's loaded and quarantined rows are replaced together, atomically, and only
      // while this execution still owns the month (the rename happens under the lease's fence).
      await fence.fence(async () => publish(files.staged, files.partition));
      const view = byName(this.statements(job, ['merge'], files, await this.partitionSlots(con, job, files))).get('view')!;
      await con.run(view.sql, view.params);
      for (const s of this.statements(job, ['quarantine'], files)) await con.run(s.sql, s.params);
      // The views were replaced: their descriptions go with them, so they are written again.
      await this.describe(con, datasetObjects(job.taxi));
      return { inserted, deleted };
    }));
  }

  /** Column names and DuckDB types a query (`column_name`, `column_type`) lists. */
  private async fileColumns(con: DuckDBConnection, sql: string): Promise<Map<string, string>> {
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  }

  /**
   * The main view's id, from every partition file's columns: an evolved column any month holds is part
   * of the id (when the row has a value).
   */
  private async partitionSlots(con: DuckDBConnection, job: MonthJob, files: MonthFiles): Promise<PartitionSlots> {
    const ds = dataset(job.taxi);
    const columns = await this.fileColumns(con, `DESCRIBE SELECT * FROM read_parquet(${literal(files.glob)}, union_by_name = true)`);
    const own = new Set<string>([...ds.columns.map((c) => c.name), 'unique_row_id', 'filename', ...PARTITION_INTERNAL]);
    const evolved = [...columns]
      .filter(([name]) => !own.has(name))
      .map(([name, type]): Column => {
        const kind = KIND_OF_TYPE.get(type);
        if (!kind) throw new PipelineError('internal', `${mainTable(job.taxi)} partition column ${name} has type ${type}, which no column kind is stored as`);
        return { name, kind };
      });
    return { viewRowId: rowIdSql(ds.columns, evolved) };
  }

  /** The catalog's statements (zones, trips) for a zone file at `zoneUri`. */
  private catalogStatements(zoneUri: string): string[] {
    const slots: Record<string, string> = {
      zone_table: ident(ZONES.table),
      zone_external: ident(`${ZONES.table}_external`),
      zone_uri: literal(zoneUri),
      zone_select: zoneSelect(DUCKDB_CATALOG),
      trips_view: ident(TRIPS_VIEW),
      trips_select: tripsSelect(DUCKDB_CATALOG),
      analyst_schema: ident(ANALYST_SCHEMA),
      // The aliases name their targets in `main`: unqualified, a view in the analyst schema would bind to itself.
      analyst_main_trips: `${ident('main')}.${ident(TRIPS_VIEW)}`,
      analyst_main_zones: `${ident('main')}.${ident(ZONES.table)}`,
      analyst_trips: `${ident(ANALYST_SCHEMA)}.${ident(TRIPS_VIEW)}`,
      analyst_zones: `${ident(ANALYST_SCHEMA)}.${ident(ZONES.table)}`,
    };
    return CATALOG_STEPS.flatMap((step) => renderStep('duckdb', step, slots));
  }

  /**
   * Describe `objects` and those of their columns they have (a dataset's view lacks the columns of eras
   * not loaded): one read of the catalog's columns, then every COMMENT in one call. Run one by one, the
   * ~150 statements and a column query per object were most of a first catalog refresh (74 ms).
   */
  private async describe(con: DuckDBConnection, objects: DescribedObject[]): Promise<void> {
    const reader = await con.runAndReadAll(`SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'`);
    const present = new Set((reader.getRowObjectsJS() as { table_name: string; column_name: string }[]).map((r) => `${r.table_name}.${r.column_name.toLowerCase()}`));
    const sql = objects.flatMap((o) => {
      const columns = o.columns.filter((c) => present.has(`${o.name}.${c.name.toLowerCase()}`));
      return renderStep('duckdb', 'descriptions', descriptionSlots(DUCKDB_CATALOG, o, DUCKDB_KIND[o.role], columns));
    });
    // Statements without parameters run together in one call (DuckDB splits them itself).
    if (sql.length) await con.run(sql.join(';\n'));
  }

  catalogVersion(): string {
    const tables = TAXIS.flatMap((taxi) => this.statements(allColumnsJob(taxi), ['tables']).map((s) => s.sql));
    const described = describedObjects().flatMap((o) => renderStep('duckdb', 'descriptions', descriptionSlots(DUCKDB_CATALOG, o, DUCKDB_KIND[o.role])));
    return createHash('sha256').update([...tables, ...this.catalogStatements(''), ...described, this.ledgerStatements().get('create')!].join('\n;\n')).digest('hex');
  }

  async refreshCatalog(zones: StoredObject): Promise<{ zones: number }> {
    return serialised(this.path, () =>
      this.session(async (con) => {
        await con.run('BEGIN TRANSACTION');
        try {
          for (const taxi of TAXIS) for (const st of this.statements(allColumnsJob(taxi), ['tables'])) await con.run(st.sql, st.params);
          await con.run(this.ledgerStatements().get('create')!);
          for (const sql of this.catalogStatements(zones.uri)) await con.run(sql);
          await this.describe(con, describedObjects());
          await con.run('COMMIT');
        } catch (err) {
          await con.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
        const n = (await con.runAndReadAll(`SELECT count(*) AS n FROM ${ident(ZONES.table)}`)).getRowObjectsJS()[0]!.n;
        return { zones: Number(n) };
      }),
    );
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return this.session(async (con) => (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
  }

  /** The ledger statements (`sql/duckdb/05_ledger.sql`), by name. */
  private ledgerStatements(): Map<string, string> {
    return ledgerStatements(DUCKDB_LEDGER, ident(LEDGER_TABLE));
  }

  async append(entry: LedgerEntry): Promise<void> {
    const st = this.ledgerStatements();
    const params = Object.fromEntries(
      LEDGER_COLUMNS.map((c) => {
        const v = entry[c.name];
        // Instants as naive UTC text: DuckDB's TIMESTAMP has no zone.
        return [c.name, v === null || v === undefined ? null : c.kind === 'instant' ? String(v).replace('T', ' ').replace('Z', '') : c.kind === 'integer' ? Number(v) : String(v)];
      }),
    );
    await serialised(this.path, () =>
      this.session(async (con) => {
        await con.run(st.get('create')!);
        await con.run(st.get('append')!, params as Record<string, string>);
      }),
    );
  }

  async read(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const st = this.ledgerStatements();
    return this.session(async (con) => {
      await con.run(st.get('create')!);
      const reader = await con.runAndReadAll(st.get('read')!, { taxi: filter.taxi ?? null, from_month: filter.from ?? null, to_month: filter.to ?? null } as unknown as Record<string, string>);
      return (reader.getRowObjectsJS() as Record<string, unknown>[]).map(ledgerRow);
    });
  }

  /** Close `shared` if it is still this file's instance and nobody uses it. */
  private async closeIdle(shared: SharedInstance): Promise<void> {
    if (shared.users > 0 || instances.get(this.path) !== shared) return;
    clearTimeout(shared.closing);
    const instance = await shared.instance.catch(() => null);
    if (instance && this.path !== ':memory:') {
      // The checkpoint first, on DuckDB's threads: closing writes the WAL into the file and syncs it on
      // the thread that calls it, which is the one the other steps run on (a close after the catalog
      // stalled the download beside it for 10-40 ms).
      try {
        const con = await instance.connect();
        try {
          await con.run('CHECKPOINT');
        } finally {
          con.closeSync();
        }
      } catch {
        // closeSync checkpoints anyway
      }
      // A step came meanwhile: it uses this instance and closes it after itself.
      if (shared.users > 0 || instances.get(this.path) !== shared) return;
    }
    instances.delete(this.path);
    instance?.closeSync();
  }

  /** Close the instance now if no step is using it (an in-memory database ends here). */
  async close(): Promise<void> {
    const shared = instances.get(this.path);
    if (shared) await this.closeIdle(shared);
  }
}
