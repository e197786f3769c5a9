/**
 * `bin/taxi-elt` runs the CLI's bundle (`dist-cli/`) only while it is newer than every source file, and
 * the TypeScript sources through tsx otherwise. Checked on a throwaway copy of the launcher whose two entry
 * points only say which one ran.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const root = tmp.dir;
mkdirSync(join(root, 'bin'));
copyFileSync(resolve('bin/taxi-elt'), join(root, 'bin/taxi-elt'));
// Its own node_modules, holding the one package the launcher imports, so the install's time is the test's.
mkdirSync(join(root, 'node_modules'));
symlinkSync(resolve('node_modules/tsx'), join(root, 'node_modules/tsx'));
const installed = join(root, 'node_modules/.package-lock.json');
writeFileSync(installed, '{}');
writeFileSync(join(root, 'package.json'), '{"type":"module"}');
mkdirSync(join(root, 'functions/src/cli'), { recursive: true });
mkdirSync(join(root, 'dist-cli'), { recursive: true });
const source = join(root, 'functions/src/cli/main.ts');
const built = join(root, 'dist-cli/taxi-elt.mjs');
writeFileSync(source, "export async function main(): Promise<number> { process.stdout.write('sources'); return 0; }\n");
writeFileSync(built, "export async function main() { process.stdout.write('bundle'); return 0; }\n");

const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
const launch = () => execFileSync(process.execPath, [join(root, 'bin/taxi-elt')], { cwd: root, encoding: 'utf8' });

it('runs the bundle when it was built after the last source change', () => {
  at(installed, 1_700_000_000);
  at(source, 1_700_000_000);
  at(built, 1_700_000_100);
  expect(launch()).toBe('bundle');
});

it('runs the sources when packages were installed after the build (the bundle holds copies of them)', () => {
  at(installed, 1_700_000_150);
  expect(launch()).toBe('sources');
  at(installed, 1_700_000_000);
  expect(launch()).toBe('bundle');
});

it('runs the sources when one of them changed after the build', () => {
  at(source, 1_700_000_200);
  expect(launch()).toBe('sources');
});

it('runs the sources when there is no build', () => {
  rmSync(join(root, 'dist-cli'), { recursive: true });
  expect(launch()).toBe('sources');
});

/** A Node.js older than 22 on this machine (Debian's node is 20), if there is one. */
function olderNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/bin/node', '/usr/local/bin/node']) {
    try {
      const v = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(v.slice(1).split('.')[0]) < 22) return candidate;
    } catch {
      // not there
    }
  }
  return null;
}

it('on Node.js older than 22 says so in one line and exits 2', () => {
  const node = olderNode();
  if (!node) {
    // CI and this machine have Debian's Node 20; say so rather than pass silently if a machine lacks it.
    console.warn('no Node.js < 22 on this machine: launcher version check not exercised');
    return;
  }
  let out: { status: number | null; stderr: string };
  try {
    execFileSync(node, [resolve('bin/taxi-elt'), '--help'], { encoding: 'utf8', stdio: 'pipe' });
    out = { status: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stderr: string };
    out = { status: e.status, stderr: e.stderr };
  }
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  expect(out.status).toBe(2);
  expect(out.stderr).toBe(`error: taxi-elt needs Node.js 22 or newer (this is ${version})\n`);
});
