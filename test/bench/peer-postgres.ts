/**
 * The peer: the course's own local ETL, the Kestra flow `04_postgres_taxi` of DataTalksClub's
 * data-engineering-zoomcamp, replayed task by task on a throwaway PostgreSQL cluster:
 *
 * 1. extract: `wget -qO- <url> | gunzip > <file>.csv`
 * 2. `CREATE TABLE IF NOT EXISTS` the main and staging tables (the flow's DDL), `TRUNCATE` staging
 * 3. CopyIn: `COPY staging (columns) FROM STDIN (FORMAT csv, HEADER true)` (psql `\copy`)
 * 4. `UPDATE staging SET unique_row_id = md5(...), filename = ...`
 * 5. `MERGE INTO main USING staging ON unique_row_id WHEN NOT MATCHED THEN INSERT ...`
 *
 * Each task is its own psql session, as each Kestra task opens its own JDBC connection. The cluster
 * lives in a temp folder with a private unix socket (no TCP); as root, initdb/pg_ctl run as `postgres`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { treeCpuMs } from './proc.js';

/** Where the PostgreSQL binaries are looked for (PG_BIN overrides). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A reason the peer cannot run here, or null when it can. */
export function peerUnavailable(): string | null {
  for (const tool of ['initdb', 'pg_ctl', 'postgres', 'psql']) {
    if (!existsSync(join(PG_BIN, tool))) return `PostgreSQL not found (${join(PG_BIN, tool)} is missing; set PG_BIN)`;
  }
  for (const tool of ['/usr/bin/wget', '/bin/gunzip']) {
    if (!existsSync(tool) && !existsSync(tool.replace('/bin/', '/usr/bin/'))) return `${tool} is missing`;
  }
  if (userInfo().uid === 0) {
    try {
      readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:')) ?? (() => { throw new Error(); })();
    } catch {
      return 'running as root and there is no postgres user to run the server as';
    }
  }
  return null;
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command; `onSpawn` gets the pid (to add it to a sampled tree). */
function exec(cmd: string, args: string[], onSpawn?: (pid: number) => void, onExit?: (pid: number) => void): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    if (child.pid !== undefined) onSpawn?.(child.pid);
    child.on('close', (code) => {
      if (child.pid !== undefined) onExit?.(child.pid);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function must(cmd: string, args: string[], hooks: { onSpawn?: (pid: number) => void; onExit?: (pid: number) => void } = {}): Promise<string> {
  const r = await exec(cmd, args, hooks.onSpawn, hooks.onExit);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ').slice(0, 200)} failed (${r.code}): ${r.stderr.trim().slice(0, 500)}`);
  return r.stdout;
}

/** The flow's column lists and types, per taxi (VendorID, RatecodeID and the locations are text in the flow). */
const FLOW_COLUMNS: Record<'yellow' | 'green', [string, string][]> = {
  yellow: [
    ['VendorID', 'text'], ['tpep_pickup_datetime', 'timestamp'], ['tpep_dropoff_datetime', 'timestamp'], ['passenger_count', 'integer'],
    ['trip_distance', 'double precision'], ['RatecodeID', 'text'], ['store_and_fwd_flag', 'text'], ['PULocationID', 'text'],
    ['DOLocationID', 'text'], ['payment_type', 'integer'], ['fare_amount', 'double precision'], ['extra', 'double precision'],
    ['mta_tax', 'double precision'], ['tip_amount', 'double precision'], ['tolls_amount', 'double precision'],
    ['improvement_surcharge', 'double precision'], ['total_amount', 'double precision'], ['congestion_surcharge', 'double precision'],
  ],
  green: [
    ['VendorID', 'text'], ['lpep_pickup_datetime', 'timestamp'], ['lpep_dropoff_datetime', 'timestamp'], ['store_and_fwd_flag', 'text'],
    ['RatecodeID', 'text'], ['PULocationID', 'text'], ['DOLocationID', 'text'], ['passenger_count', 'integer'],
    ['trip_distance', 'double precision'], ['fare_amount', 'double precision'], ['extra', 'double precision'], ['mta_tax', 'double precision'],
    ['tip_amount', 'double precision'], ['tolls_amount', 'double precision'], ['ehail_fee', 'double precision'],
    ['improvement_surcharge', 'double precision'], ['total_amount', 'double precision'], ['payment_type', 'integer'],
    ['trip_type', 'integer'], ['congestion_surcharge', 'double precision'],
  ],
};

/** The flow's SQL for one taxi and file, task by task. */
export function flowSql(taxi: 'yellow' | 'green', file: string) {
  const cols = FLOW_COLUMNS[taxi];
  const p = taxi === 'yellow' ? 'tpep' : 'lpep';
  const table = `public.${taxi}_tripdata`;
  const staging = `public.${taxi}_tripdata_staging`;
  const ddl = (name: string) =>
    `CREATE TABLE IF NOT EXISTS ${name} (\n    unique_row_id text,\n    filename text,\n${cols.map(([c, t]) => `    ${c} ${t}`).join(',\n')}\n);`;
  const names = cols.map(([c]) => c);
  return {
    createTable: ddl(table),
    createStaging: ddl(staging),
    truncate: `TRUNCATE TABLE ${staging};`,
    copy: (csvPath: string) => `\\copy ${staging} (${names.join(',')}) FROM '${csvPath.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`,
    update: `UPDATE ${staging}
SET
  unique_row_id = md5(
    COALESCE(CAST(VendorID AS text), '') ||
    COALESCE(CAST(${p}_pickup_datetime AS text), '') ||
    COALESCE(CAST(${p}_dropoff_datetime AS text), '') ||
    COALESCE(PULocationID, '') ||
    COALESCE(DOLocationID, '') ||
    COALESCE(CAST(fare_amount AS text), '') ||
    COALESCE(CAST(trip_distance AS text), '')
  ),
  filename = '${file}';`,
    merge: `MERGE INTO ${table} AS T
USING ${staging} AS S
ON T.unique_row_id = S.unique_row_id
WHEN NOT MATCHED THEN
  INSERT (unique_row_id, filename, ${names.join(', ')})
  VALUES (S.unique_row_id, S.filename, ${names.map((n) => `S.${n}`).join(', ')});`,
    drop: `DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${staging};`,
    count: `SELECT count(*) FROM ${table};`,
  };
}

/** Step times of one peer month, milliseconds. */
export interface PeerMonthResult {
  ms: { extract: number; tables: number; copy: number; update: number; merge: number; total: number };
  rowsInTable: number;
}

/** A running throwaway cluster. */
export interface PeerCluster {
  dir: string;
  version: string;
  /** Pids to sample: the postmaster (its backends are its children) and any running client. */
  pids(): number[];
  /** Run the flow for one month; `onPhase` is called as each step starts. */
  runMonth(url: string, taxi: 'yellow' | 'green', file: string, onPhase?: (phase: string) => void): Promise<PeerMonthResult>;
  /** Drop the flow's tables (between independent runs). */
  reset(taxi: 'yellow' | 'green'): Promise<void>;
  /**
   * Wait until the server does no background work: the vacuum and analyze autovacuum would do, a
   * checkpoint, no autovacuum worker running, then no CPU used by any of its processes for half a
   * second (at most `maxMs` in all). Resolves to the milliseconds waited.
   */
  idle(maxMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** initdb + pg_ctl start in a temp folder; `stop()` stops the server and removes the folder. */
export async function startPeerCluster(): Promise<PeerCluster> {
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'taxi-bench-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const socket = join(dir, 'sock');
  const work = join(dir, 'work');
  const asServer = (tool: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args]);
  await must('mkdir', ['-p', socket, work]);
  if (asRoot) {
    const pw = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))!.split(':');
    chownSync(socket, Number(pw[2]), Number(pw[3]));
    chownSync(dir, Number(pw[2]), Number(pw[3]));
  }
  await must(...asServer('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']));
  await must(...asServer('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-c listen_addresses='' -c unix_socket_directories=${socket}`, 'start']));
  const clients = new Set<number>();
  const hooks = { onSpawn: (pid: number) => clients.add(pid), onExit: (pid: number) => clients.delete(pid) };
  const psqlArgs = (db: string) => ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socket, '-U', 'postgres', '-d', db];
  const psql = (sql: string, db = 'ny_taxi') => must(join(PG_BIN, 'psql'), [...psqlArgs(db), '-c', sql], hooks);
  await psql('CREATE DATABASE ny_taxi;', 'postgres');
  const version = (await psql('SHOW server_version;')).trim();
  const postmaster = () => {
    try {
      return [Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])];
    } catch {
      return [];
    }
  };
  return {
    dir,
    version,
    pids: () => [...postmaster(), ...clients],
    async runMonth(url, taxi, file, onPhase) {
      const sql = flowSql(taxi, file);
      const csv = join(work, file);
      const t = (): number => performance.now();
      const t0 = t();
      onPhase?.('extract');
      await must('sh', ['-c', `wget -qO- '${url}' | gunzip > '${csv}'`], hooks);
      const t1 = t();
      onPhase?.('stage');
      await psql(sql.createTable);
      await psql(sql.createStaging);
      await psql(sql.truncate);
      const t2 = t();
      await psql(sql.copy(csv));
      const t3 = t();
      await psql(sql.update);
      const t4 = t();
      onPhase?.('merge');
      await psql(sql.merge);
      const t5 = t();
      rmSync(csv, { force: true }); // the flow's purge_files
      const rowsInTable = Number((await psql(sql.count)).trim());
      return { ms: { extract: t1 - t0, tables: t2 - t1, copy: t3 - t2, update: t4 - t3, merge: t5 - t4, total: t5 - t0 }, rowsInTable };
    },
    async reset(taxi) {
      await psql(flowSql(taxi, '').drop);
      await psql('CHECKPOINT;');
    },
    async idle(maxMs = 120_000) {
      const t0 = performance.now();
      // Autovacuum's launcher wakes once a minute: a worker not started yet when this looked would start
      // during the next contender's run (our curve months after the peer's 3rd took twice as long to
      // extract, 0.62–0.72 s against 0.27–0.30 s). Its work on the tables just loaded is done here instead,
      // counted for no one, so it has none left to start.
      await psql('VACUUM (ANALYZE);');
      await psql('CHECKPOINT;');
      for (;;) {
        const busy = Number((await psql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker';")).trim());
        if (busy === 0 || performance.now() - t0 > maxMs) break;
        await new Promise((ok) => setTimeout(ok, 250));
      }
      // Then until the server's processes use no CPU for half a second: right after the checkpoint,
      // one of its background processes was seen still busy (32% of a core) as the next contender
      // started, and the first run after the warm-up was the slowest of every full run (3.1-4.0 s
      // against 1.5-1.9 s).
      const server = () => postmaster();
      let before = treeCpuMs(server());
      while (performance.now() - t0 < maxMs) {
        await new Promise((ok) => setTimeout(ok, 500));
        const now = treeCpuMs(server());
        if (now - before <= 10) break;
        before = now;
      }
      return performance.now() - t0;
    },
    async stop() {
      await exec(...asServer('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
