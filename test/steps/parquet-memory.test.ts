/**
 * Extract of a Parquet month larger than the memory it may use: generated files of ~40 MB and ~155 MB
 * stream from the source through verification (only the footer's last bytes kept) into the lake, never
 * buffered. Measured in child `node --expose-gc` processes; heap and Buffer memory both count (garbage
 * not yet collected included, so the figure is what the process really holds, not a floor).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./parquet-memory-probe.ts', import.meta.url));

async function measure(rows: number): Promise<Record<string, number | string>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', probe], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, PROBE_ROWS: String(rows) },
    maxBuffer: 1024 * 1024,
    timeout: 170_000,
  });
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number | string>;
  console.log(`Parquet extract, ${rows} rows: ${JSON.stringify(figures)}`);
  expect(figures.status).toBe('extracted');
  expect(figures.rows).toBe(rows);
  expect(figures.landedBytes).toBe(figures.bytes);
  return figures;
}

describe('Parquet extract memory', () => {
  it('is flat in the file size: 4x the file, about the same memory, under 64 MB for 155 MB', async () => {
    const small = await measure(450_000);
    const big = await measure(1_800_000);
    expect(big.fileMB as number).toBeGreaterThan(150);
    expect(big.peakGrowthMB as number).toBeLessThan(64);
    expect((big.peakGrowthMB as number) - (small.peakGrowthMB as number)).toBeLessThan(16);
  }, 180_000);
});
