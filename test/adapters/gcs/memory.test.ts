/**
 * Extract of a generated 500k-row gzip file into GCS (the loopback fake) keeps heap growth under 64 MB:
 * the body streams from the source through verification into one resumable upload, never buffered.
 * Measured in a child `node --expose-gc` process so the figures are not mixed with vitest's own heap.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));

describe('extract to GCS memory', () => {
  it('keeps heap growth under 64 MB for a 500k-row file', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', probe], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      maxBuffer: 1024 * 1024,
      timeout: 170_000,
    });
    const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number | string | boolean>;
    console.log(`extract to GCS, 500k rows: ${JSON.stringify(figures)}`);
    expect(figures.status).toBe('extracted');
    expect(figures.dataLines).toBe(500_000);
    expect(figures.uploadedBytes).toBe(figures.compressedBytes);
    expect(figures.resumable).toBe(true);
    expect(figures.peakGrowthMB as number).toBeLessThan(64);
  }, 180_000);
});
