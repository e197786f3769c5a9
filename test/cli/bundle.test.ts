/**
 * The CLI's bundle (what `npm run build` makes and `bin/taxi-elt` then runs): built here by the project's
 * own script into a folder inside the repository, then run as a user's command runs it. Bundling
 * changes how modules load (CommonJS packages, dynamic imports split into chunks, files found from the
 * module's own path), so the sources passing their tests says nothing about the bundle.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const out = join(ROOT, '.gen', `cli-bundle-${process.pid}`);
const tmp = tempDir();
const run = promisify(execFile);

/** Run the bundle's CLI with `args`, as bin/taxi-elt does once the bundle is fresh. */
async function bundled(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = 'const { main } = await import(process.argv[1]); process.exitCode = await main(["node", "taxi-elt", ...process.argv.slice(2)]);';
  try {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script, join(out, 'taxi-elt.mjs'), ...args], { cwd: tmp.dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  mkdirSync(join(ROOT, '.gen'), { recursive: true });
  await run(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), out], { cwd: ROOT });
}, 60_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  tmp.cleanup();
});

describe('the CLI bundle', () => {
  it('runs the demo: the real month through download, stage and merge, DuckDB loaded from its split chunk', async () => {
    const r = await bundled(['demo', '--data-dir', join(tmp.dir, 'demo'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ status: 'succeeded', rowsInFile: 95_120, rowsLoaded: 95_111, rowsQuarantined: 9 });
  }, 60_000);

  it('answers a user error in one line, exit 2, as the sources do', async () => {
    const r = await bundled(['run', '--taxi', 'purple']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*purple/);
  });

  it('links every chunk, the lazily loaded Google Cloud ones included, with the packages left outside it', async () => {
    const chunks = readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.mjs'));
    expect(chunks.some((f) => f.startsWith('gcp-backfill-'))).toBe(true);
    const script = 'for (const f of process.argv.slice(1)) await import(f); process.stdout.write("linked");';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, ...chunks.map((f) => join(out, 'chunks', f))], { cwd: tmp.dir });
    expect(stdout).toBe('linked');
  }, 60_000);

  it('loads the Google Cloud clients only when a command needs them: no package is imported at start', () => {
    // Every module the entry imports statically, chunk by chunk: what loads before the CLI's first line.
    const packages = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s(?:[^;]*?\sfrom\s*)?["']([^"']+)["']/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('./') || spec.startsWith('../')) visit(join(dirname(file), spec));
        else if (!spec.startsWith('node:')) packages.add(spec);
      }
    };
    visit(join(out, 'taxi-elt.mjs'));
    expect(seen.size).toBeGreaterThan(1);
    expect([...packages]).toEqual([]);
  });
});
