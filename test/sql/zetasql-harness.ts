/**
 * A ZetaSQL analyzer for tests: the `@fivetrandevelopers/zetasql` gRPC server started as a child process
 * on a free loopback port, BigQuery-like language options, and a catalog that learns the tables the
 * analysed CREATE statements define.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type * as Zeta from '@fivetrandevelopers/zetasql';

const require = createRequire(import.meta.url);
const zetasql = require('@fivetrandevelopers/zetasql') as typeof Zeta;

type TypeProto = { typeKind: number; arrayType?: { elementType: TypeProto } };
export interface CatalogColumn {
  name: string;
  type: TypeProto;
}

/** BigQuery's type names (and aliases) as ZetaSQL type kinds. */
const TYPE_KINDS: Record<string, number> = {
  INT64: 2,
  INTEGER: 2,
  INT: 2,
  BIGINT: 2,
  SMALLINT: 2,
  BOOL: 5,
  BOOLEAN: 5,
  FLOAT64: 7,
  STRING: 8,
  BYTES: 9,
  DATE: 10,
  TIMESTAMP: 19,
  TIME: 20,
  DATETIME: 21,
  NUMERIC: 23,
  DECIMAL: 23,
  BIGNUMERIC: 24,
  BIGDECIMAL: 24,
  JSON: 26,
};

/** A BigQuery type name as a ZetaSQL TypeProto. */
export function typeOf(name: string): TypeProto {
  const kind = TYPE_KINDS[name.toUpperCase()];
  if (kind === undefined) throw new Error(`no ZetaSQL type for ${name}`);
  return { typeKind: kind };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function serverBinary(): string {
  const lib = dirname(require.resolve('@fivetrandevelopers/zetasql'));
  const ext = (process.arch.startsWith('arm') ? '_arm' : '') + (process.platform === 'darwin' ? '' : '.so');
  return join(lib, 'zetasql', `remote_server${ext}`);
}

export class Analyzer {
  private tables = new Map<string, CatalogColumn[]>();
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Zeta.ZetaSQLClient,
    private readonly languageOptions: unknown,
  ) {}

  /** Start the server and connect; throws (never skips) when it cannot start. */
  static async start(): Promise<Analyzer> {
    const port = await freePort();
    const child = spawn(serverBinary(), ['localhost', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // never outlive the test process, even when afterAll does not run
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let output = '';
    child.stdout?.on('data', (d) => (output += String(d)));
    child.stderr?.on('data', (d) => (output += String(d)));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`ZetaSQL server exited (${code ?? signal}): ${output}`))),
    );
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
    try {
      zetasql.ZetaSQLClient.init(port);
      const client = zetasql.ZetaSQLClient.getInstance();
      const ok = await Promise.race([client.testConnection(), exited, spawnFailed]);
      if (!ok) throw new Error(`cannot reach the ZetaSQL server on port ${port}: ${output}`);
      const max = await client.getLanguageOptions({ maximumFeatures: true });
      const languageOptions = {
        nameResolutionMode: 'NAME_RESOLUTION_DEFAULT',
        productMode: 'PRODUCT_EXTERNAL',
        enabledLanguageFeatures: max?.enabledLanguageFeatures ?? [],
        supportedStatementKinds: [
          'RESOLVED_QUERY_STMT',
          'RESOLVED_CREATE_TABLE_STMT',
          'RESOLVED_CREATE_TABLE_AS_SELECT_STMT',
          'RESOLVED_CREATE_EXTERNAL_TABLE_STMT',
          'RESOLVED_MERGE_STMT',
          'RESOLVED_INSERT_STMT',
          'RESOLVED_DELETE_STMT',
          'RESOLVED_ALTER_TABLE_STMT',
          'RESOLVED_UPDATE_STMT',
          'RESOLVED_BEGIN_STMT',
          'RESOLVED_CREATE_VIEW_STMT',
          'RESOLVED_ALTER_VIEW_STMT',
          'RESOLVED_COMMIT_STMT',
        ],
      };
      return new Analyzer(child, client, languageOptions);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** Register (or replace) a table, by the exact name the SQL uses (e.g. `proj.ds.t`). */
  register(name: string, columns: CatalogColumn[]): void {
    this.tables.set(name, columns);
  }

  get tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** Analyse one statement; returns the resolved statement proto, throws with ZetaSQL's message. */
  async analyze(sql: string): Promise<Record<string, unknown>> {
    const response = await this.client.analyze({
      sqlStatement: sql,
      options: {
        languageOptions: this.languageOptions as never,
        errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
        parameterMode: 'PARAMETER_NAMED',
      },
      // typeKind numbers are the TypeKind enum values; the generated typings want the enum type
      simpleCatalog: this.catalog() as never,
    });
    return response?.resolvedStatement as unknown as Record<string, unknown>;
  }

  /** The catalog as the service takes it (no primary keys: the server crashes on them). */
  private catalog() {
    return {
      name: 'bigquery',
      table: [...this.tables].map(([name, columns]) => ({ name, column: columns.map((c) => ({ name: c.name, type: c.type })) })),
      builtinFunctionOptions: { languageOptions: this.languageOptions as never },
    };
  }

  /**
   * Run one statement in ZetaSQL's reference implementation over `content` (rows of cells, by table name):
   * a query returns its rows, a DML statement the rows it inserts (`op` 1), deletes (2) or updates (3, the
   * new values). ERROR() and runtime failures throw with the engine's message.
   */
  async evaluate(sql: string, content: Record<string, Cell[][]>, params: Record<string, Cell>): Promise<{ rows: Cell[][]; ops: number[] }> {
    const API = (zetasql.ZetaSQLClient as unknown as { API: Record<string, (...a: unknown[]) => unknown> }).API;
    const isQuery = /^\s*(SELECT|WITH)\b/i.test(sql.replace(/^\s*--.*$/gm, ''));
    const request = {
      sql,
      options: {
        languageOptions: this.languageOptions as never,
        errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
        parameterMode: 'PARAMETER_NAMED',
        queryParameters: Object.entries(params).map(([name, v]) => ({ name, type: typeOf(cellType(v)) })),
      },
      simpleCatalog: this.catalog(),
      tableContent: Object.fromEntries(Object.entries(content).map(([t, rows]) => [t, { tableData: { row: rows.map((r) => ({ cell: r.map(toValue) })) } }])),
      params: Object.entries(params).map(([name, v]) => ({ name, value: toValue(v) })),
    };
    const method = isQuery ? 'evaluateQuery' : 'evaluateModify';
    const response = (await this.client.promisify(request, (API[method] as (...a: unknown[]) => never).bind(API))) as {
      content?: { tableData?: { row?: { cell: unknown[] }[] } } | { cell: unknown[]; operation: number }[];
    };
    if (isQuery) {
      const rows = (response.content as { tableData?: { row?: { cell: unknown[] }[] } })?.tableData?.row ?? [];
      return { rows: rows.map((r) => r.cell.map(fromValue)), ops: [] };
    }
    const changed = (response.content as { cell: unknown[]; operation: number }[]) ?? [];
    return { rows: changed.map((r) => r.cell.map(fromValue)), ops: changed.map((r) => r.operation) };
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A cell value for `evaluate`: strings are STRING, bigints INT64, booleans BOOL, null NULL (as INT64). */
export type Cell = string | bigint | boolean | null;

function cellType(v: Cell): string {
  return typeof v === 'bigint' || v === null ? 'INT64' : typeof v === 'boolean' ? 'BOOL' : 'STRING';
}

function toValue(v: Cell): Record<string, unknown> {
  if (v === null) return {};
  if (typeof v === 'bigint') return { int64Value: v.toString() };
  if (typeof v === 'boolean') return { boolValue: v };
  return { stringValue: v };
}

function fromValue(v: unknown): Cell {
  const value = v as { value?: string; stringValue?: string; boolValue?: boolean; int64Value?: { low: number; high: number }; timestampValue?: unknown };
  if (value.value === 'stringValue') return value.stringValue!;
  if (value.value === 'boolValue') return value.boolValue!;
  // a protobuf Long: two 32-bit halves
  if (value.value === 'int64Value') return BigInt.asIntN(64, (BigInt(value.int64Value!.high >>> 0) << 32n) | BigInt(value.int64Value!.low >>> 0));
  return null;
}

/** Depth-first search for the first value under `key` in a resolved AST proto. */
export function findKey(node: unknown, key: string): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  if (key in node) {
    const v = (node as Record<string, unknown>)[key];
    if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) return v;
  }
  for (const v of Object.values(node)) {
    const hit = findKey(v, key);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * The table a resolved CREATE defines: its name path and its columns with the types ZetaSQL resolved
 * (so a CTAS registers exactly the columns its SELECT produces). Null for other statements.
 */
export function createdTable(resolved: Record<string, unknown>): { name: string; columns: CatalogColumn[] } | null {
  const create = (resolved as { resolvedCreateStatementNode?: unknown }).resolvedCreateStatementNode;
  if (!create) return null;
  const namePath = findKey(create, 'namePath') as string[] | undefined;
  const defs = findKey(create, 'columnDefinitionList') as { name: string; type: { typeKind: number; arrayType: unknown } }[] | undefined;
  // A view has no column definitions: its columns are its query's output.
  const output = defs ? undefined : (findKey(create, 'outputColumnList') as { name: string; column: { type: { typeKind: number } } }[] | undefined);
  if (!namePath || !(defs || output)) throw new Error('CREATE without a name or columns in the resolved AST');
  return {
    name: namePath.join('.'),
    columns: defs ? defs.map((d) => ({ name: d.name, type: { typeKind: d.type.typeKind } })) : output!.map((o) => ({ name: o.name, type: { typeKind: o.column.type.typeKind } })),
  };
}
