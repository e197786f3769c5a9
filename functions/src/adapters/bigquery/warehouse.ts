/**
 * The cloud warehouse: BigQuery, running the `sql/bigquery/` templates (twins of `sql/duckdb/`) as one
 * query job per statement.
 *
 * - Job IDs are deterministic: `taxi_elt_{table}_{YYYY_MM}_g{generation}_{step}[_{n}][_x{execution}]`,
 *   from the staging table name, the raw object's generation, the step and the calling execution. A call retried after a timeout
 *   gets "409 already exists" for its first statement, fetches that job and waits for it instead of
 *   starting a second MERGE. A job found this way that finished with an error is not reused: the next
 *   attempt gets the suffix `_r2`, `_r3`, ... (deterministic too). A job that finished cleanly is
 *   reused: the same statement on the same raw object generation has the same effect.
 * - Jobs carry labels `app`, `taxi`, `month`, `step`; values go in as query parameters
 *   (`@month_start`...), identifiers only from the dataset definitions, naming.ts and config.
 * - The month replacement is ONE script job holding ONE transaction (`03_merge.sql` + `04_quarantine.sql`):
 *   the fence (the month's row in `month_fences` claimed with the lease token, then checked), the MERGE
 *   of the main table bounded to the month's partitions and matching rows by id, the MERGE of the file's
 *   quarantine rows, COMMIT. A zombie whose lease was taken over fails the check and rolls back; two
 *   overlapping transactions conflict on the fence table and BigQuery aborts one, which is retried.
 *   The rows added and removed are the main MERGE's DML statistics, read from its child job.
 * - `plan` needs no credentials and no network: the client is built on first use.
 */
import { BigQuery, type Job, type JobMetadata } from '@google-cloud/bigquery';
import { dataset, type Taxi } from '../../domain/datasets.js';
import { LeaseLostError, messageOf, PipelineError } from '../../domain/errors.js';
import { monthBounds, type Month } from '../../domain/months.js';
import type { FileFormat } from '../../domain/file-formats.js';
import { FENCE_TABLE, mainTable, quarantineTable, rawObjectKey, releaseFileName, releaseFileStem, stagingTable } from '../../domain/naming.js';
import { stageCountsFromRows, type MergeCounts, type StageCounts } from '../../domain/summary.js';
import { allColumnsJob, plannedObject } from '../shared/planned-object.js';
import type { StoredObject } from '../../ports/object-store.js';
import { LEDGER_COLUMNS, LEDGER_TABLE, type LedgerEntry } from '../../domain/ledger.js';
import type { Ledger, LedgerFilter } from '../../ports/ledger.js';
import { ledgerRow, ledgerStatements, type LedgerDialect } from '../shared/ledger-row.js';
import { UNFENCED, type Fence, type MonthJob, type PlannedStatement, type StepStats, type Warehouse } from '../../ports/warehouse.js';
import { fileSchema } from '../shared/file-schema.js';
import { CATALOG_STEPS, MERGE_STEPS, STAGE_STEPS, forFormat, marker, renderStep } from '../shared/sql-template.js';
import { BIGQUERY_TYPES, countSql, datasetSlots, ident, inlineParams, literal, queryParameter, tableRef, type Param } from './dialect.js';
import { createHash } from 'node:crypto';
import { TAXIS } from '../../domain/datasets.js';
import { describedObjects, type DescribedObject } from '../../domain/descriptions.js';
import { TRIPS_VIEW } from '../../domain/trips.js';
import { ZONES } from '../../domain/zones.js';
import { descriptionSlots, tripsSelect, zoneSelect, type CatalogDialect } from '../shared/catalog-sql.js';

/** BigQuery's ledger columns: typed parameters, instants as ISO text with milliseconds. */
const BIGQUERY_LEDGER: LedgerDialect = {
  dialect: 'bigquery',
  types: { string: 'STRING', integer: 'INT64', instant: 'TIMESTAMP' },
  ident,
  value: (name) => `@${name}`,
  isoText: (column) => `FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', ${column})`,
};

/** A statement with its parameters and the job ID it runs under. */
export interface BigQueryStatement extends PlannedStatement {
  params: Record<string, Param>;
  jobId: string;
}

/** Where the warehouse lives. */
export interface BigQueryTarget {
  project: string;
  dataset: string;
  /** BigQuery location of the dataset (and of its jobs), e.g. `EU`, `us-central1`. */
  location: string;
}

export interface BigQueryWarehouseOptions extends BigQueryTarget {
  /** Builds the client on first use; default `new BigQuery({projectId, location})` (ADC). */
  client?: () => BigQuery;
  /** Waits between job polls; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** How many times a job ID whose earlier job failed is retried under a new suffix. */
  maxAttempts?: number;
}

/** What a finished job reported. */
export interface JobOutcome {
  jobId: string;
  bytesProcessed: number;
  /** True when the job already existed (a retried call) and was waited for, not started. */
  reused: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How BigQuery reports a transaction aborted because another one changed the same table first. */
const CONCURRENT_ABORT = /aborted due to concurrent update|concurrent update against table/i;

/**
 * Whether a failed statement was one `CREATE ... IF NOT EXISTS` that lost a race: two at once (a first
 * run's catalog and extract, or two function instances) can fail the later with "Already Exists", and
 * the object is then there, which is all the statement asks.
 */
export function lostCreateRace(sql: string, message: string): boolean {
  const statement = sql.replace(/^(?:\s*--[^\n]*\n)*\s*/, '').replace(/;\s*$/, '');
  return /^CREATE\s+(?:TABLE|SCHEMA|VIEW)\s+IF\s+NOT\s+EXISTS\b/i.test(statement) && !statement.includes(';') && /Already Exists: (?:Table|View|Dataset)\b/i.test(message);
}

/** The fence `plan` shows: placeholders for the lease token and the execution. */
const PLAN_FENCE: Fence = { token: '0', holder: 'EXECUTION_ID', fence: (commit) => commit() };

/** SQL without its `--` comment lines. */
function stripComments(sql: string): string {
  return sql.replace(/^\s*--.*$/gm, '');
}

/** A job ID part: letters, digits, `_` and `-` only. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Deterministic job ID of a statement: (staging table, raw object generation, step, index), scoped to the
 * asking execution when there is one. Without the scope a finished job would be "found" by every later
 * rerun of an unchanged month, for months (BigQuery keeps job IDs), and nothing would run again.
 */
export function jobIdFor(taxi: Taxi, month: Month, generation: string, step: string, index: number, run?: string): string {
  return `taxi_elt_${stagingTable(taxi, month)}_g${idPart(generation)}_${step}${index > 0 ? `_${index + 1}` : ''}${run ? `_x${idPart(run)}` : ''}`;
}

/** Labels of every job of a month. */
export function jobLabels(taxi: Taxi, month: Month, step: string): Record<string, string> {
  return { app: 'nyc-taxi-elt', taxi, month, step };
}

/** BigQuery implementation of the warehouse port. */
export class BigQueryWarehouse implements Warehouse, Ledger {
  readonly dialect = 'bigquery' as const;
  /** BigQuery reads the raw object from GCS as it is; extract keeps no text for it. */
  readonly plainTextLines = 0;
  private client?: BigQuery;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The ledger table's CREATE, run once per instance (see `ledgerTable`). */
  private ledgerCreated?: Promise<void>;

  constructor(private readonly options: BigQueryWarehouseOptions) {
    // Validate identifiers now, so a bad config fails at construction and not mid-run.
    tableRef(options.project, options.dataset, 'probe');
    this.sleep = options.sleep ?? defaultSleep;
  }

  private bq(): BigQuery {
    return (this.client ??= this.options.client?.() ?? new BigQuery({ projectId: this.options.project, location: this.options.location }));
  }

  private table(name: string): string {
    return tableRef(this.options.project, this.options.dataset, name);
  }

  /**
   * The statements of `steps` for `job`, rendered, with their parameters and job IDs. The merge's fence
   * statements carry `fence`'s token and holder, and are left out when there is no lease (UNFENCED).
   */
  statements(job: MonthJob, steps: readonly string[], fence: Fence = PLAN_FENCE): BigQueryStatement[] {
    const ds = dataset(job.taxi);
    const file = fileSchema(job);
    const { start, end } = monthBounds(job.month);
    const staging = stagingTable(job.taxi, job.month);
    const external = this.table(`${staging}_external`);
    const slots: Record<string, string> = {
      ...datasetSlots(ds, file, external),
      main_table: this.table(mainTable(job.taxi)),
      quarantine_table: this.table(quarantineTable(job.taxi)),
      staging_table: this.table(staging),
      external_table: external,
      raw_uri: literal(job.object.uri),
      staging_description: literal(`raw sha256 ${job.object.meta.sha256}`),
      fence_table: this.table(FENCE_TABLE),
    };
    const params: Record<string, Param> = {
      month: { type: 'STRING', value: job.month },
      month_start: { type: 'DATETIME', value: start },
      month_end: { type: 'DATETIME', value: end },
      filename: { type: 'STRING', value: releaseFileName(job.taxi, job.month, file.format) },
      file_stem: { type: 'STRING', value: releaseFileStem(job.taxi, job.month) },
      taxi: { type: 'STRING', value: job.taxi },
      fence_token: { type: 'INT64', value: fence.token ?? '0' },
      fence_holder: { type: 'STRING', value: fence.holder },
    };
    const out: BigQueryStatement[] = [];
    for (const step of steps) {
      const rendered = forFormat(renderStep('bigquery', step, slots), file.format);
      rendered.filter((sql) => fence.token !== null || !marker(sql, 'name')?.startsWith('fence_')).forEach((sql, index) => {
        const own = Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`@${k}\\b`).test(sql)));
        out.push({ step, sql, params: own, jobId: jobIdFor(job.taxi, job.month, job.object.generation, step, index, job.run) });
      });
    }
    return out;
  }

  private countStatement(job: MonthJob): PlannedStatement {
    return { step: 'count', sql: countSql(this.table(stagingTable(job.taxi, job.month))) };
  }

  /**
   * Exactly what `stage` then the merge step (`stagedCounts`, `replaceMonth`) run, in order, with
   * parameters inlined as BigQuery literals.
   */
  plan(job: MonthJob): PlannedStatement[] {
    const inline = (s: BigQueryStatement): PlannedStatement => ({ step: s.step, sql: inlineParams(s.sql, s.params) });
    return [
      ...this.statements(job, STAGE_STEPS).map(inline),
      this.countStatement(job),
      this.countStatement(job),
      // One script job in the run; one entry per statement here, so each can be read and analysed.
      ...this.statements(job, MERGE_STEPS).map(inline),
    ];
  }

  async stage(job: MonthJob, fence: Fence = UNFENCED): Promise<StageCounts & StepStats> {
    let bytesProcessed = 0;
    const jobIds: string[] = [];
    for (const s of this.statements(job, STAGE_STEPS)) {
      // The staging CTAS replaces the month's staging table: only while this execution owns the month.
      const outcome = s.step === 'stage' ? await fence.fence(() => this.runJob(job, s)) : await this.runJob(job, s);
      bytesProcessed += outcome.bytesProcessed;
      jobIds.push(outcome.jobId);
    }
    const counts = await this.stagedCounts(job);
    return { ...counts, bytesProcessed, jobIds };
  }

  /** The staging table's description names its raw file; read from the table's metadata, no query job. */
  async stagedSource(job: MonthJob): Promise<string | null> {
    try {
      const [meta] = await this.bq().dataset(this.options.dataset).table(stagingTable(job.taxi, job.month)).getMetadata();
      return /raw sha256 ([0-9a-f]{64})/.exec(String((meta as { description?: unknown }).description ?? ''))?.[1] ?? null;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return null;
      throw wrap(err, `BigQuery table ${stagingTable(job.taxi, job.month)}`);
    }
  }

  async stagedCounts(job: MonthJob): Promise<StageCounts> {
    const rows = await this.select(this.countStatement(job).sql, jobLabels(job.taxi, job.month, 'count'));
    return stageCountsFromRows(rows as { reason: unknown; n: unknown }[]);
  }

  /** The catalog templates' dialect: objects in this dataset, descriptions as ALTER ... SET OPTIONS. */
  private catalogDialect(): CatalogDialect {
    return {
      ident,
      literal,
      types: BIGQUERY_TYPES,
      table: (name) => this.table(name),
      columnDescriptions: (_object, columns) => columns.map((c) => `  ALTER COLUMN ${ident(c.name)} SET OPTIONS (description = ${literal(c.description)})`).join(',\n'),
    };
  }

  /**
   * Every statement refreshCatalog runs, in order, for a zone file at `zoneUri`: each dataset's tables
   * (created when absent, given any column they lack), the ledger and fence tables, the zone table, the
   * trips view, then every description.
   */
  catalogStatements(zoneUri: string): PlannedStatement[] {
    const d = this.catalogDialect();
    const slots: Record<string, string> = {
      zone_table: this.table(ZONES.table),
      zone_external: this.table(`${ZONES.table}_external`),
      zone_external_columns: ZONES.columns.map((c) => `  ${ident(c.name)} STRING`).join(',\n'),
      zone_uri: literal(zoneUri),
      zone_select: zoneSelect(d),
      trips_view: this.table(TRIPS_VIEW),
      trips_select: tripsSelect(d),
    };
    const tables = TAXIS.flatMap((taxi) => this.statements(allColumnsJob(taxi), ['tables']).map((x) => ({ step: 'tables', sql: inlineParams(x.sql, x.params) })));
    const catalog = CATALOG_STEPS.flatMap((step) => renderStep('bigquery', step, slots).map((sql) => ({ step, sql })));
    const kind = (o: DescribedObject) => (o.role === 'trips' ? 'VIEW' : 'TABLE');
    const described = describedObjects().flatMap((o) =>
      renderStep('bigquery', 'descriptions', descriptionSlots(d, o, kind(o)))
        // ALTER VIEW cannot describe a view's columns (see 07_trips.sql).
        .filter((sql) => kind(o) === 'TABLE' || !/ALTER COLUMN/.test(sql))
        .map((sql) => ({ step: 'descriptions', sql })),
    );
    return [...tables, { step: 'tables', sql: this.ledgerStatements().get('create')! }, ...catalog, ...described];
  }

  catalogVersion(): string {
    return createHash('sha256').update(this.catalogStatements('').map((x) => x.sql).join('\n;\n')).digest('hex');
  }

  /**
   * One job per statement, in order: DDL cannot share a transaction. Each replacement is atomic on its
   * own (CREATE OR REPLACE), so a failure half-way leaves every object whole, old or new, and the next
   * run redoes the rest (the catalog's record is written only after all succeeded).
   */
  async refreshCatalog(zones: StoredObject): Promise<{ zones: number }> {
    const labels = { app: 'nyc-taxi-elt', step: 'catalog' };
    for (const st of this.catalogStatements(zones.uri)) await this.select(st.sql, labels);
    const rows = await this.select(`SELECT COUNT(*) AS n FROM ${this.table(ZONES.table)}`, labels);
    return { zones: Number(rows[0]?.n ?? 0) };
  }

  /** The merge's statements as ONE script: one job, one transaction (BEGIN ... COMMIT in the templates). */
  transaction(job: MonthJob, fence: Fence = PLAN_FENCE): BigQueryStatement {
    const statements = this.statements(job, MERGE_STEPS, fence);
    const names = statements.map((s) => marker(s.sql, 'name'));
    if (names[0] !== 'begin' || names.at(-1) !== 'commit') throw new Error('the merge templates must begin and commit one transaction');
    return {
      step: 'merge',
      sql: statements.map((s) => `${s.sql};`).join('\n\n'),
      params: Object.assign({}, ...statements.map((s) => s.params)) as Record<string, Param>,
      jobId: statements[0]!.jobId,
    };
  }

  async replaceMonth(job: MonthJob, fence: Fence = UNFENCED): Promise<MergeCounts & StepStats> {
    // Checked right before the job starts as well as inside its transaction: a lease lost long ago
    // costs no job at all.
    const script = this.transaction(job, fence);
    const outcome = await fence.fence(() => this.runJob(job, script));
    // Matched by id: the main MERGE's DML statistics are the rows added and removed.
    const { inserted, deleted } = await this.mergeStatistics(outcome.jobId, this.table(mainTable(job.taxi)));
    return { inserted, deleted, bytesProcessed: outcome.bytesProcessed, jobIds: [outcome.jobId] };
  }

  /**
   * The DML statistics of the main table's MERGE in a finished script: a script job reports none of
   * its own, each statement ran as a child job whose configuration holds the statement's text.
   */
  private async mergeStatistics(parentJobId: string, mainRef: string): Promise<{ inserted: number; deleted: number }> {
    const [children] = await this.bq().getJobs({ parentJobId, projection: 'full', autoPaginate: true });
    for (const child of children) {
      let meta = child.metadata as JobMetadata;
      const text = stripComments(meta.configuration?.query?.query ?? '').trim().replace(/\s+/g, ' ');
      if (!text.startsWith(`MERGE INTO ${mainRef} `)) continue;
      if (!meta.statistics?.query?.dmlStats) [meta] = await child.getMetadata();
      const dml = meta.statistics?.query?.dmlStats;
      return { inserted: Number(dml?.insertedRowCount ?? 0), deleted: Number(dml?.deletedRowCount ?? 0) };
    }
    throw new PipelineError('internal', `BigQuery script ${parentJobId} committed, but the child job of its MERGE into the main table was not found to count the rows it changed`);
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return this.select(sql, { app: 'nyc-taxi-elt', step: 'query' });
  }

  async close(): Promise<void> {
    this.client = undefined;
  }

  /** The ledger statements (`sql/bigquery/05_ledger.sql`), by name. */
  ledgerStatements(): Map<string, string> {
    return ledgerStatements(BIGQUERY_LEDGER, this.table(LEDGER_TABLE));
  }

  async append(entry: LedgerEntry): Promise<void> {
    const st = this.ledgerStatements();
    const params = Object.fromEntries(
      LEDGER_COLUMNS.map((c) => {
        const v = entry[c.name];
        return [c.name, { type: BIGQUERY_LEDGER.types[c.kind as keyof typeof BIGQUERY_LEDGER.types] as Param['type'], value: v === null || v === undefined ? null : String(v) } satisfies Param];
      }),
    );
    const labels = { app: 'nyc-taxi-elt', step: 'ledger', taxi: entry.taxi, month: entry.month };
    await this.ledgerTable(labels);
    try {
      await this.select(st.get('append')!, labels, params);
    } catch (err) {
      // The table may have gone (dropped by hand): the next append creates it again.
      this.ledgerCreated = undefined;
      throw err;
    }
  }

  async read(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const st = this.ledgerStatements();
    const param = (v: string | undefined): Param => ({ type: 'STRING', value: v ?? null });
    const labels = { app: 'nyc-taxi-elt', step: 'ledger' };
    await this.ledgerTable(labels);
    const rows = await this.select(st.get('read')!, labels, { taxi: param(filter.taxi), from_month: param(filter.from), to_month: param(filter.to) });
    return rows.map(ledgerRow);
  }

  /**
   * The ledger table exists: its CREATE runs once per instance, not before every append (each a query
   * job of its own, about a second on BigQuery), and losing a race to another CREATE is fine.
   */
  private ledgerTable(labels: Record<string, string>): Promise<void> {
    const create = this.ledgerStatements().get('create')!;
    this.ledgerCreated ??= this.select(create, labels).then(
      () => undefined,
      (err: unknown) => {
        if (lostCreateRace(create, messageOf(err))) return;
        this.ledgerCreated = undefined;
        throw err;
      },
    );
    return this.ledgerCreated;
  }

  /** A query under a fresh job ID, with parameters; its rows. */
  private async select(sql: string, labels: Record<string, string>, params: Record<string, Param> = {}): Promise<Record<string, unknown>[]> {
    const names = Object.keys(params);
    const [job] = await this.bq().createJob({
      location: this.options.location,
      configuration: {
        query: {
          query: sql,
          useLegacySql: false,
          ...(names.length ? { parameterMode: 'NAMED', queryParameters: names.map((n) => queryParameter(n, params[n]!)) } : {}),
        },
        labels,
      },
    });
    const meta = await this.waitFor(job, job.metadata as JobMetadata);
    const error = meta.status?.errorResult;
    if (error) throw new PipelineError('internal', `BigQuery job ${job.id} failed: ${error.message ?? error.reason}`);
    const [rows] = await job.getQueryResults({ autoPaginate: true });
    return rows as Record<string, unknown>[];
  }

  /**
   * Run one statement under its deterministic job ID; when that job already exists, wait for it
   * rather than starting another. A failed earlier job is retried under `_r2`, `_r3`, ...
   */
  async runJob(job: MonthJob, s: BigQueryStatement): Promise<JobOutcome> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const jobId = attempt === 1 ? s.jobId : `${s.jobId}_r${attempt}`;
      let handle: Job;
      let meta: JobMetadata;
      let reused = false;
      try {
        [handle] = await this.bq().createJob({
          jobId,
          location: this.options.location,
          configuration: {
            query: {
              query: s.sql,
              useLegacySql: false,
              parameterMode: 'NAMED',
              queryParameters: Object.entries(s.params).map(([name, p]) => queryParameter(name, p)),
            },
            labels: jobLabels(job.taxi, job.month, s.step),
          },
        });
        meta = handle.metadata as JobMetadata;
      } catch (err) {
        // A job that failed at once comes back as an error of the insert itself.
        if (lostCreateRace(s.sql, messageOf(err))) return { jobId, reused: false, bytesProcessed: 0 };
        if ((err as { code?: number }).code !== 409) throw wrap(err, `BigQuery job ${jobId} (${s.step})`);
        // A retried call: the job exists, maybe still running. Wait for it instead of a second one.
        handle = this.bq().job(jobId, { location: this.options.location });
        [meta] = await handle.getMetadata();
        reused = true;
      }
      meta = await this.waitFor(handle, meta);
      const error = meta.status?.errorResult;
      if (error) {
        const message = String(error.message ?? error.reason);
        // The transaction's fence refused: a newer execution committed the month. Nothing was committed.
        const lost = /lease lost: [^\n]*?nothing was committed/.exec(message);
        if (lost) throw new LeaseLostError(lost[0]);
        if (lostCreateRace(s.sql, message)) return { jobId, reused, bytesProcessed: 0 };
        if (reused) continue; // an earlier attempt failed: run again under the next ID
        if (CONCURRENT_ABORT.test(message) && attempt < maxAttempts) {
          // Another transaction on the same tables committed first; ours was rolled back. Run it again
          // (its fence then sees the other's token), after a pause that grows.
          await this.sleep(1_000 * 2 ** (attempt - 1));
          continue;
        }
        throw new PipelineError('internal', `BigQuery job ${jobId} (${s.step}) failed: ${message}`);
      }
      const q = meta.statistics?.query;
      return {
        jobId,
        reused,
        bytesProcessed: Number(q?.totalBytesProcessed ?? meta.statistics?.totalBytesProcessed ?? 0),
      };
    }
    throw new PipelineError('internal', `BigQuery job ${s.jobId} (${s.step}) failed ${maxAttempts} times`);
  }

  /** Poll until DONE, backing off from 500 ms to 5 s. */
  private async waitFor(handle: Job, meta: JobMetadata): Promise<JobMetadata> {
    let delay = 500;
    while (meta.status?.state !== 'DONE') {
      await this.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
      [meta] = await handle.getMetadata();
    }
    return meta;
  }
}

function wrap(err: unknown, what: string): Error {
  const code = (err as { code?: number }).code;
  const message = err instanceof Error ? err.message : String(err);
  const kind = code === 429 || (code !== undefined && code >= 500) ? 'unavailable' : 'internal';
  return new PipelineError(kind, `${what}: ${message}`, { cause: err });
}

/** Inputs of an offline plan, for `taxi-elt plan --target bigquery`. */
export interface PlanBigQueryInput {
  taxi: Taxi;
  month: Month;
  project: string;
  dataset: string;
  /** Bucket of the lake; a placeholder when not configured. */
  bucket?: string;
  location?: string;
  /** Generation shown in job IDs; a placeholder by default. */
  generation?: string;
  /** Format of the raw file; default Parquet, the TLC feed's. */
  format?: FileFormat;
}

/** A raw object as extract would land it, in canonical column order, for planning without a lake. */
export function placeholderObject(taxi: Taxi, month: Month, format: FileFormat = 'parquet', bucket = 'YOUR_BUCKET', generation = '0'): StoredObject {
  return plannedObject(taxi, month, format, `gs://${bucket}/${rawObjectKey(taxi, month, format)}`, { generation });
}

/** The BigQuery plan of one month, offline: no credentials, no network. */
export function planBigQuery(input: PlanBigQueryInput): PlannedStatement[] {
  const warehouse = new BigQueryWarehouse({ project: input.project, dataset: input.dataset, location: input.location ?? 'US' });
  return warehouse.plan({
    taxi: input.taxi,
    month: input.month,
    object: placeholderObject(input.taxi, input.month, input.format, input.bucket, input.generation),
  });
}
