import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMonth, headerOf, readGzipLines } from '../bench/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'taxi-gen-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function firstLine(path: string): Promise<string> {
  const { createGunzip } = await import('node:zlib');
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: createReadStream(path).pipe(createGunzip()) });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

/** Facts of a generated file: lines, out-of-month pickups, duplicate lines, empty vendors, `1.0` codes. */
async function facts(path: string, month: string) {
  const seen = new Set<string>();
  let rows = 0;
  let outside = 0;
  let duplicates = 0;
  let nullVendor = 0;
  let fields = new Set<number>();
  for await (const line of readGzipLines(path)) {
    rows++;
    const f = line.split(',');
    fields.add(f.length);
    if (!f[1]!.startsWith(`${month}-`)) outside++;
    if (f[0] === '') nullVendor++;
    if (seen.has(line)) duplicates++;
    else seen.add(line);
  }
  return { rows, outside, duplicates, nullVendor, fields: [...fields] };
}

describe('month generator', () => {
  it('writes the yellow header, the row count and exactly the requested quirks', async () => {
    const path = join(dir, 'y.csv.gz');
    const g = await generateMonth(path, 'yellow', '2019-02', 20_000, 7, { outOfMonth: 13, duplicates: 21 });
    expect(await firstLine(path)).toBe(headerOf('yellow'));
    expect(headerOf('yellow').split(',')).toHaveLength(18);
    const f = await facts(path, '2019-02');
    expect(f).toMatchObject({ rows: 20_000, outside: 13, duplicates: 21, fields: [18] });
    expect(g.rows).toBe(20_000);
    // The real month's share of null-vendor rows (42,510 of 95,120) survives the resampling.
    expect(f.nullVendor / f.rows).toBeGreaterThan(0.4);
    expect(f.nullVendor / f.rows).toBeLessThan(0.5);
  });

  it('writes green files with 20 columns and no accidental duplicates', async () => {
    const path = join(dir, 'g.csv.gz');
    // More rows than the source month: every source row is reused about twice.
    await generateMonth(path, 'green', '2020-02', 200_000, 3);
    expect(await firstLine(path)).toBe(headerOf('green'));
    const f = await facts(path, '2020-02');
    expect(f).toMatchObject({ rows: 200_000, outside: 0, duplicates: 0, fields: [20] });
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = join(dir, 'a.csv.gz');
    const b = join(dir, 'b.csv.gz');
    const c = join(dir, 'c.csv.gz');
    await generateMonth(a, 'green', '2021-01', 5_000, 42, { outOfMonth: 3, duplicates: 2, floatIntegers: 0.5 });
    await generateMonth(b, 'green', '2021-01', 5_000, 42, { outOfMonth: 3, duplicates: 2, floatIntegers: 0.5 });
    await generateMonth(c, 'green', '2021-01', 5_000, 43, { outOfMonth: 3, duplicates: 2, floatIntegers: 0.5 });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
  });

  it('writes 1.0-style integer codes when asked', async () => {
    const path = join(dir, 'f.csv.gz');
    await generateMonth(path, 'green', '2020-10', 2_000, 1, { floatIntegers: 1, nullVendorShare: 0 });
    for await (const line of readGzipLines(path)) {
      const f = line.split(',');
      expect(f[0]).toMatch(/^\d\.0$/); // VendorID
      expect(f[17]).toMatch(/^\d\.0$/); // payment_type
    }
  });

  it('rejects impossible requests', async () => {
    await expect(generateMonth(join(dir, 'x.csv.gz'), 'green', '2020-10', 5, 1, { outOfMonth: 3, duplicates: 3 })).rejects.toThrow(/between 0 and rows/);
  });
});
