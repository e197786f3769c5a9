/**
 * The bundled real month, end to end through the functions over HTTP into DuckDB.
 * Facts from the release file's README: 95,120 rows, 9 pickups outside October 2020, no duplicates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineId } from '../helpers/row-id.js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_MONTH, realMonthLines, tempDir } from '../helpers/files.js';
import { fingerprint, query, run, source } from '../helpers/stack.js';

const PATH = '/green/green_tripdata_2020-10.csv.gz';

describe('green 2020-10, the real release file', () => {
  const tmp = tempDir();
  let server: Awaited<ReturnType<typeof source>>;
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    server = await source({ [PATH]: REAL_MONTH });
    first = await run(server.url, tmp.dir, 'green', '2020-10');
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('counts every row: 95,120 in the file, 95,111 loaded, 9 quarantined as outside_month', () => {
    expect(first).toMatchObject({
      taxi: 'green',
      month: '2020-10',
      status: 'succeeded',
      rowsInFile: 95_120,
      rowsLoaded: 95_111,
      rowsQuarantined: 9,
      quarantined: { malformed: 0, invalid_value: 0, outside_month: 9, duplicate: 0 },
      inserted: 95_111,
      deleted: 0,
    });
    expect(first.rawUri).toMatch(/lake\/raw\/green\/2020\/green_tripdata_2020-10\.csv\.gz$/);
  });

  it('the tables hold exactly that', async () => {
    const [main] = await query(tmp.dir, `SELECT count(*) AS n, count(DISTINCT unique_row_id) AS ids, min(lpep_pickup_datetime) AS lo, max(lpep_pickup_datetime) AS hi, count(*) FILTER (WHERE VendorID IS NULL) AS null_vendor FROM green_tripdata`);
    expect(main).toMatchObject({ n: '95111', ids: '95111' });
    expect(String(main!.lo) >= '2020-10-01').toBe(true);
    expect(String(main!.hi) < '2020-11-01').toBe(true);
    // 42,510 rows have an empty VendorID; none of the 9 out-of-month rows does (they are vendor 2).
    expect(main!.null_vendor).toBe('42510');
    const q = await query(tmp.dir, `SELECT reason, count(*) AS n, min(filename) AS f FROM green_tripdata_quarantine GROUP BY ALL`);
    expect(q).toEqual([{ reason: 'outside_month', n: '9', f: 'green_tripdata_2020-10.csv.gz' }]);
    const months = await query(tmp.dir, `SELECT strftime(lpep_pickup_datetime, '%Y-%m') AS m, count(*) AS n FROM green_tripdata_staging_2020_10 WHERE reason = 'outside_month' GROUP BY ALL ORDER BY m`);
    expect(months).toEqual([
      { m: '2008-12', n: '1' },
      { m: '2009-01', n: '1' },
      { m: '2020-09', n: '2' },
      { m: '2020-11', n: '5' },
    ]);
  });

  it('types the columns: exact decimals, integers from "1.0"-style text, timestamps', async () => {
    const cols = await query(tmp.dir, `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'green_tripdata' ORDER BY ordinal_position`);
    expect(cols.slice(0, 5)).toEqual([
      { c: 'VendorID', t: 'BIGINT' },
      { c: 'lpep_pickup_datetime', t: 'TIMESTAMP' },
      { c: 'lpep_dropoff_datetime', t: 'TIMESTAMP' },
      { c: 'store_and_fwd_flag', t: 'VARCHAR' },
      { c: 'RatecodeID', t: 'BIGINT' },
    ]);
    expect(cols.find((c) => c.c === 'total_amount')?.t).toBe('DECIMAL(18,9)');
    expect(cols.slice(-2)).toEqual([
      { c: 'unique_row_id', t: 'VARCHAR' },
      { c: 'filename', t: 'VARCHAR' },
    ]);
    // Each row's id is the md5 of its canonical text, computed here independently of DuckDB.
    const lines = realMonthLines();
    const id = lineId('green', lines[0]!, lines[1]!);
    const rows = await query(tmp.dir, `SELECT unique_row_id, reason, raw_line FROM green_tripdata_staging_2020_10 WHERE unique_row_id = '${id}'`);
    expect(rows).toEqual([{ unique_row_id: id, reason: null, raw_line: null }]);
    // Staging keeps the text of the quarantined rows only, and all of it.
    const [texts] = await query(tmp.dir, `SELECT count(raw_line) AS kept, count(*) FILTER (WHERE reason IS NOT NULL) AS quarantined FROM green_tripdata_staging_2020_10`);
    expect(texts).toEqual({ kept: '9', quarantined: '9' });
  });

  it('keeps the month as one Parquet partition file, the staged file linked in, no temp file left', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const tables = join(tmp.dir, 'tables');
    const listing = readdirSync(tables, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(tables.length + 1))
      .sort();
    expect(listing).toEqual(['green_tripdata/2020-10.parquet', 'staging/green_tripdata_staging_2020_10.parquet']);
    // The partition is the staged file itself (a hard link): the merge rewrote nothing.
    expect(statSync(join(tables, 'green_tripdata/2020-10.parquet')).ino).toBe(statSync(join(tables, 'staging/green_tripdata_staging_2020_10.parquet')).ino);
    // Loaded and quarantined rows are in the one file; the two tables are views that split it.
    const [split] = await query(
      tmp.dir,
      `SELECT count(*) FILTER (WHERE reason IS NULL) AS loaded, count(*) FILTER (WHERE reason IS NOT NULL) AS quarantined FROM read_parquet('${join(tables, 'green_tripdata/*.parquet')}')`,
    );
    expect(split).toEqual({ loaded: '95111', quarantined: '9' });
    const kinds = await query(tmp.dir, `SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_name LIKE 'green_tripdata%' ORDER BY t`);
    expect(kinds).toEqual([
      { t: 'green_tripdata', k: 'VIEW' },
      { t: 'green_tripdata_quarantine', k: 'VIEW' },
      { t: 'green_tripdata_staging_2020_10', k: 'VIEW' },
    ]);
  });

  it('a rerun changes nothing', async () => {
    const before = await fingerprint(tmp.dir, 'green_tripdata');
    const again = await run(server.url, tmp.dir, 'green', '2020-10');
    expect(again).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, inserted: 0, deleted: 0 });
    expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(before);
    const [q] = await query(tmp.dir, `SELECT count(*) AS n FROM green_tripdata_quarantine`);
    expect(q!.n).toBe('9');
  });

  it('ids are computed when read: each equals the md5 of the line\'s canonical values; a month stored with its ids (no row_hash) reads and reloads the same', async () => {
    const { renameSync } = await import('node:fs');
    const { rowIdSql } = await import('../../functions/src/adapters/duckdb/dialect.js');
    const { dataset } = await import('../../functions/src/domain/datasets.js');
    const lines = realMonthLines();
    const expected = new Set(lines.slice(1).filter((l) => /^[^,]*,2020-10/.test(l)).map((l) => lineId('green', lines[0]!, l)));
    const ids = await query(tmp.dir, `SELECT unique_row_id AS id FROM green_tripdata`);
    expect(ids.length).toBe(95_111);
    expect(ids.every((r) => expected.has(String(r.id)))).toBe(true);
    // The partition file holds no id text, only the 64-bit row_hash.
    const partition = join(tmp.dir, 'tables', 'green_tripdata', '2020-10.parquet');
    const [stored] = await query(tmp.dir, `SELECT count(unique_row_id) AS ids, count(DISTINCT row_hash) AS hashes FROM read_parquet('${partition}') WHERE reason IS NULL`);
    expect(stored).toEqual({ ids: '0', hashes: '95111' });
    // A partition written by the earlier release: the id stored, no row_hash.
    const before = await fingerprint(tmp.dir, 'green_tripdata');
    const old = join(tmp.dir, 'old.parquet');
    await query(tmp.dir, `COPY (SELECT * EXCLUDE (row_hash) REPLACE (${rowIdSql(dataset('green').columns)} AS unique_row_id) FROM read_parquet('${partition}')) TO '${old}' (FORMAT parquet)`);
    renameSync(old, partition);
    expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(before);
    const again = await run(server.url, tmp.dir, 'green', '2020-10');
    expect(again).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111, inserted: 0, deleted: 0 });
    expect(await fingerprint(tmp.dir, 'green_tripdata')).toEqual(before);
  });

  it('a republished file (rows removed, values corrected) replaces the month exactly', async () => {
    const lines = realMonthLines();
    const header = lines[0]!;
    // Drop 1,000 rows, correct the total of 10 others, and keep the rest.
    const kept = lines.slice(1).filter((_, i) => i % 95 !== 7);
    const removed = lines.length - 1 - kept.length;
    const corrected = kept.map((line, i) => {
      if (i % 9000 !== 3) return line;
      const f = line.split(',');
      f[16] = (Number(f[16]) + 1).toFixed(2);
      return f.join(',');
    });
    const changedCount = corrected.filter((l, i) => l !== kept[i]).length;
    const republished = join(tmp.dir, 'republished.csv.gz');
    writeFileSync(republished, gzipSync([header, ...corrected].join('\n') + '\n'));
    const server2 = await source({ [PATH]: republished });
    try {
      const result = await run(server2.url, tmp.dir, 'green', '2020-10');
      const outsideRemoved = lines.slice(1).filter((l, i) => i % 95 === 7 && !/^[^,]*,2020-10/.test(l)).length;
      expect(result.status).toBe('succeeded');
      expect(result.rowsInFile).toBe(corrected.length);
      expect(result.rowsLoaded).toBe(95_111 - removed + outsideRemoved);
      expect(result.inserted).toBe(changedCount);
      expect(result.deleted).toBe(removed - outsideRemoved + changedCount);
      // The table equals the staged rows of the new file, nothing else.
      const [diff] = await query(
        tmp.dir,
        `SELECT (SELECT count(*) FROM (SELECT unique_row_id FROM green_tripdata EXCEPT SELECT unique_row_id FROM green_tripdata_staging_2020_10 WHERE reason IS NULL)) AS extra,
                (SELECT count(*) FROM (SELECT unique_row_id FROM green_tripdata_staging_2020_10 WHERE reason IS NULL EXCEPT SELECT unique_row_id FROM green_tripdata)) AS missing`,
      );
      expect(diff).toEqual({ extra: '0', missing: '0' });
      const [sum] = await query(tmp.dir, `SELECT CAST(sum(total_amount) AS VARCHAR) AS s FROM green_tripdata`);
      const expected = corrected
        .filter((l) => /^[^,]*,2020-10/.test(l))
        .reduce((acc, l) => acc + Math.round(Number(l.split(',')[16]) * 100), 0);
      expect(Number(sum!.s)).toBeCloseTo(expected / 100, 2);
    } finally {
      await server2.close();
    }
  });
});
