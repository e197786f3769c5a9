/**
 * A deterministic month generator for benchmarks and tests: realistic yellow or green release files of
 * any size, made by resampling the rows of a real month (`test/fixtures/green_tripdata_2020-10.csv.gz`).
 *
 * - Value distributions are the real month's: every output row is a real row (fares, distances, zones,
 *   null-vendor rows with their empty code columns) with its pickup moved into the target month. The
 *   day of month and time of day are kept where the target month allows, and the trip duration is kept.
 * - Rows are unique unless asked otherwise: the k-th reuse of a source row moves by k days (and by one
 *   second per full cycle of days), and source rows equal but for their times share one counter, so no
 *   two generated lines are equal by accident.
 * - Exact counts of out-of-month pickups (same month and time, one year earlier or later) and of exact
 *   duplicate lines (copies of an earlier in-month line), placed by sequential sampling.
 * - Optional `1.0`-style integers in the code columns (the course's `Bad int64 value: 1.0`).
 * - Yellow files take the 18 yellow columns, in the yellow order, with `tpep_` names; `ehail_fee` and
 *   `trip_type` are dropped.
 *
 * Memory is flat in the output size: the source month (~9 MB of text) is held once and output goes
 * through gzip in batches with backpressure.
 *
 * CLI: `tsx test/bench/generate.ts --taxi yellow --month 2019-01 --rows 1000000 --seed 1 --out f.csv.gz`
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip, gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';

/** The taxi datasets a generator can write. */
export type GenTaxi = 'yellow' | 'green';

/** Options of {@link generateMonth}. */
export interface GenerateOptions {
  /** Rows (data lines, header excluded) whose pickup is outside the target month. Default 0. */
  outOfMonth?: number;
  /** Rows that repeat an earlier in-month line exactly. Default 0. */
  duplicates?: number;
  /** Share (0..1) of rows whose non-empty integer code columns are written as `1.0`. Default 0. */
  floatIntegers?: number;
  /** Share (0..1) of rows drawn from the real month's null-vendor rows; default: the real share (~45%). */
  nullVendorShare?: number;
  /** gzip level (1-9); default 6, the usual ratio of the release files. */
  gzipLevel?: number;
  /** The real month to resample; default the green 2020-10 fixture. */
  sourcePath?: string;
}

/** What a generated file holds. */
export interface GeneratedMonth {
  path: string;
  taxi: GenTaxi;
  month: string;
  rows: number;
  outOfMonth: number;
  duplicates: number;
  /** Compressed size in bytes. */
  bytes: number;
  /** Uncompressed size in bytes. */
  uncompressedBytes: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** The real green month used as the source of rows. */
export const DEFAULT_SOURCE = resolve(HERE, '../fixtures/green_tripdata_2020-10.csv.gz');

const GREEN_COLUMNS = [
  'VendorID', 'lpep_pickup_datetime', 'lpep_dropoff_datetime', 'store_and_fwd_flag', 'RatecodeID', 'PULocationID', 'DOLocationID',
  'passenger_count', 'trip_distance', 'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount', 'ehail_fee',
  'improvement_surcharge', 'total_amount', 'payment_type', 'trip_type', 'congestion_surcharge',
] as const;
const YELLOW_COLUMNS = [
  'VendorID', 'tpep_pickup_datetime', 'tpep_dropoff_datetime', 'passenger_count', 'trip_distance', 'RatecodeID',
  'store_and_fwd_flag', 'PULocationID', 'DOLocationID', 'payment_type', 'fare_amount', 'extra', 'mta_tax', 'tip_amount',
  'tolls_amount', 'improvement_surcharge', 'total_amount', 'congestion_surcharge',
] as const;
/** Integer code columns the float quirk applies to. */
const FLOAT_QUIRK = new Set(['VendorID', 'RatecodeID', 'passenger_count', 'payment_type', 'trip_type']);

/** The header line (without line break) of a generated file. */
export function headerOf(taxi: GenTaxi): string {
  return (taxi === 'green' ? GREEN_COLUMNS : YELLOW_COLUMNS).join(',');
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SourceRow {
  /** Day of month, 0-based, of the source pickup. */
  day: number;
  /** Seconds since midnight of the source pickup. */
  tod: number;
  /** Dropoff minus pickup, seconds. */
  duration: number;
  vendor: string;
  vendorFloat: string;
  /** `,`-prefixed fields after the dropoff, in the target order. */
  tail: string;
  tailFloat: string;
  nullVendor: boolean;
}

/** Naive `YYYY-MM-DD HH:MM:SS` as seconds since the epoch, read as UTC. */
function parseTimestamp(s: string): number {
  return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10), +s.slice(11, 13), +s.slice(14, 16), +s.slice(17, 19)) / 1000;
}

const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayPrefix = new Map<number, string>();
/** Seconds since the epoch as naive `YYYY-MM-DD HH:MM:SS`. */
function formatTimestamp(sec: number): string {
  const day = Math.floor(sec / 86400);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = `${new Date(day * 86400_000).toISOString().slice(0, 10)} `;
    if (dayPrefix.size > 10_000) dayPrefix.clear();
    dayPrefix.set(day, prefix);
  }
  const tod = sec - day * 86400;
  const h = Math.floor(tod / 3600);
  const m = Math.floor((tod % 3600) / 60);
  return `${prefix}${pad2[h]}:${pad2[m]}:${pad2[tod % 60]}`;
}

const sourceCache = new Map<string, SourceRow[]>();
function loadSource(path: string, taxi: GenTaxi): SourceRow[] {
  const cacheKey = `${path}|${taxi}`;
  const cached = sourceCache.get(cacheKey);
  if (cached) return cached;
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const header = lines[0]!.replace(/\r$/, '').split(',');
  const index = new Map(header.map((name, i) => [name, i]));
  const target = taxi === 'green' ? GREEN_COLUMNS : YELLOW_COLUMNS;
  // Source column for each target column: green names, tpep_ standing for lpep_.
  const from = target.map((name) => {
    const i = index.get(name.replace(/^tpep_/, 'lpep_'));
    if (i === undefined) throw new Error(`source file ${path} has no column for ${name}`);
    return i;
  });
  const pickupAt = index.get('lpep_pickup_datetime')!;
  const dropoffAt = index.get('lpep_dropoff_datetime')!;
  const rows: SourceRow[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== header.length) continue;
    const pickup = parseTimestamp(f[pickupAt]!);
    const dropoff = parseTimestamp(f[dropoffAt]!);
    if (!Number.isFinite(pickup) || !Number.isFinite(dropoff)) continue;
    const date = new Date(pickup * 1000);
    const asFloat = (name: string, v: string) => (FLOAT_QUIRK.has(name) && v !== '' && !v.includes('.') ? `${v}.0` : v);
    let tail = '';
    let tailFloat = '';
    for (let c = 3; c < target.length; c++) {
      const v = f[from[c]!]!;
      tail += `,${v}`;
      tailFloat += `,${asFloat(target[c]!, v)}`;
    }
    const vendor = f[from[0]!]!;
    rows.push({
      day: date.getUTCDate() - 1,
      tod: date.getUTCHours() * 3600 + date.getUTCMinutes() * 60 + date.getUTCSeconds(),
      duration: dropoff - pickup,
      vendor,
      vendorFloat: asFloat('VendorID', vendor),
      tail,
      tailFloat,
      nullVendor: vendor === '',
    });
  }
  // Rows equal in everything but their times (2,000 in the real month) share one representative, so
  // the k-th use of a group moves its one pickup by k days: two generated lines are never equal by accident.
  const groups = new Map<string, SourceRow>();
  const out = rows.map((r) => {
    const key = `${r.vendor}${r.tail}|${r.duration}`;
    const rep = groups.get(key);
    if (rep) return rep;
    groups.set(key, r);
    return r;
  });
  sourceCache.set(cacheKey, out);
  return out;
}

function monthStart(month: string): { start: number; days: number; year: number; mon: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error(`month must be YYYY-MM, got ${month}`);
  const year = Number(m[1]);
  const mon = Number(m[2]) - 1;
  const start = Date.UTC(year, mon, 1) / 1000;
  const days = Math.round((Date.UTC(year, mon + 1, 1) / 1000 - start) / 86400);
  return { start, days, year, mon };
}

/**
 * The generated text, as batches of whole lines (header first). Deterministic for (taxi, month, rows,
 * seed, options). Exposed for callers that want the text without gzip.
 */
export async function* generateLines(taxi: GenTaxi, month: string, rows: number, seed: number, options: GenerateOptions = {}): AsyncGenerator<string> {
  const outOfMonth = options.outOfMonth ?? 0;
  const duplicates = options.duplicates ?? 0;
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a whole number >= 0, got ${rows}`);
  if (outOfMonth < 0 || duplicates < 0 || outOfMonth + duplicates > rows) throw new Error('outOfMonth + duplicates must be between 0 and rows');
  if (duplicates > 0 && outOfMonth + duplicates >= rows) throw new Error('duplicates need at least one in-month row to copy');
  const source = loadSource(options.sourcePath ?? DEFAULT_SOURCE, taxi);
  const withVendor = source.filter((r) => !r.nullVendor);
  const nullVendor = source.filter((r) => r.nullVendor);
  const nullShare = options.nullVendorShare;
  const floatShare = options.floatIntegers ?? 0;
  const { start, days } = monthStart(month);
  const rand = seededRandom(seed);
  const uses = new Map<SourceRow, number>();
  const RING = 4096;
  const ring: string[] = [];
  let outLeft = outOfMonth;
  let dupLeft = duplicates;

  yield `${headerOf(taxi)}\n`;
  let batch = '';
  for (let i = 0; i < rows; i++) {
    const remaining = rows - i;
    const r = rand() * remaining;
    let kind: 'row' | 'out' | 'dup' = r < outLeft ? 'out' : r < outLeft + dupLeft ? 'dup' : 'row';
    if (kind === 'dup' && ring.length === 0) kind = outLeft > 0 && outLeft + dupLeft >= remaining ? 'out' : 'row';
    let line: string;
    if (kind === 'dup') {
      dupLeft--;
      line = ring[Math.floor(rand() * ring.length)]!;
    } else {
      const pool = nullShare === undefined ? source : rand() < nullShare ? nullVendor : withVendor;
      const src = pool[Math.floor(rand() * pool.length)]!;
      const k = uses.get(src) ?? 0;
      uses.set(src, k + 1);
      // k-th reuse: k days later (wrapping in the month), one second more per full cycle: never equal.
      let offset = ((src.day + k) % days) * 86400 + src.tod + Math.floor(k / days);
      offset %= days * 86400;
      let pickup = start + offset;
      let dropoff = pickup + src.duration;
      if (kind === 'out') {
        outLeft--;
        // Same calendar moment one year away (Feb 29 rolls to Mar 1): always outside the month, never equal to another row.
        const d = new Date(pickup * 1000);
        d.setUTCFullYear(d.getUTCFullYear() + (rand() < 0.5 ? -1 : 1));
        const shift = d.getTime() / 1000 - pickup;
        pickup += shift;
        dropoff += shift;
      }
      const asFloat = floatShare > 0 && rand() < floatShare;
      line = `${asFloat ? src.vendorFloat : src.vendor},${formatTimestamp(pickup)},${formatTimestamp(dropoff)}${asFloat ? src.tailFloat : src.tail}\n`;
      if (kind === 'row') {
        if (ring.length < RING) ring.push(line);
        else ring[Math.floor(rand() * RING)] = line;
      }
    }
    batch += line;
    if (batch.length >= 256 * 1024) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

/**
 * Write a generated month as a gzip CSV at `path`, streaming (flat memory whatever `rows`).
 * @param seed any 32-bit integer; the same arguments give the same bytes
 */
export async function generateMonth(
  path: string,
  taxi: GenTaxi,
  month: string,
  rows: number,
  seed: number,
  options: GenerateOptions = {},
): Promise<GeneratedMonth> {
  let uncompressed = 0;
  let compressed = 0;
  const text = generateLines(taxi, month, rows, seed, options);
  async function* bytes() {
    for await (const s of text) {
      const b = Buffer.from(s, 'utf8');
      uncompressed += b.byteLength;
      yield b;
    }
  }
  const gzip = createGzip({ level: options.gzipLevel ?? 6 });
  gzip.on('data', (b: Buffer) => (compressed += b.byteLength));
  await pipeline(Readable.from(bytes()), gzip, createWriteStream(path));
  return {
    path,
    taxi,
    month,
    rows,
    outOfMonth: options.outOfMonth ?? 0,
    duplicates: options.duplicates ?? 0,
    bytes: compressed,
    uncompressedBytes: uncompressed,
  };
}

/** Stream the data lines of a gzip CSV (header excluded), for tests and checks. */
export async function* readGzipLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let first = true;
  for await (const line of rl) {
    if (first) {
      first = false;
      continue;
    }
    if (line !== '') yield line;
  }
}

async function cli(argv: string[]): Promise<void> {
  const { Command } = await import('commander');
  const program = new Command()
    .name('generate')
    .description('write a synthetic month resampled from the real green 2020-10 month')
    .requiredOption('--taxi <taxi>', 'yellow or green')
    .requiredOption('--month <YYYY-MM>', 'target month')
    .requiredOption('--rows <n>', 'data rows', Number)
    .option('--seed <n>', 'PRNG seed', Number, 1)
    .option('--out-of-month <n>', 'rows with a pickup outside the month', Number, 0)
    .option('--duplicates <n>', 'exact duplicate rows', Number, 0)
    .option('--float-integers <share>', 'share of rows with 1.0-style integer codes', Number, 0)
    .option('--out <path>', 'output file (default ./<taxi>_tripdata_<month>.csv.gz)')
    .parse(argv);
  const o = program.opts<{ taxi: GenTaxi; month: string; rows: number; seed: number; outOfMonth: number; duplicates: number; floatIntegers: number; out?: string }>();
  if (o.taxi !== 'yellow' && o.taxi !== 'green') throw new Error('--taxi must be yellow or green');
  const out = o.out ?? join(process.cwd(), `${o.taxi}_tripdata_${o.month}.csv.gz`);
  const t0 = performance.now();
  const g = await generateMonth(out, o.taxi, o.month, o.rows, o.seed, { outOfMonth: o.outOfMonth, duplicates: o.duplicates, floatIntegers: o.floatIntegers });
  process.stdout.write(
    `${g.path}: ${g.rows} rows, ${(g.uncompressedBytes / 1e6).toFixed(1)} MB text, ${(g.bytes / 1e6).toFixed(1)} MB gzip in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv).catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
