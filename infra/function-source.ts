/**
 * The Cloud Functions source package, assembled at synth time from the repository's build: `dist/`
 * (the compiled functions, `npm run build`), `sql/` (templates read at run time, found by walking up
 * from the module) and a generated `package.json` listing only the dependencies the compiled code
 * imports. Plain file system code, no cdktf: the stack zips the folder with a `TerraformAsset`.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Where the build comes from and where the package is assembled. */
export interface FunctionSourceOptions {
  /** Folder holding `package.json`, `dist/` and `sql/`. */
  readonly repoRoot: string;
  /** Output folder, emptied first (default `<repoRoot>/.gen/function-source`; `.gen/` is git-ignored). */
  readonly outDir?: string;
  /** Entry module inside `distDir` (default `index.js`). */
  readonly main?: string;
}

/** The assembled package. */
export interface FunctionSource {
  readonly dir: string;
  /** The generated package.json. */
  readonly packageJson: { name: string; version: string; type: string; main: string; engines: Record<string, string>; dependencies: Record<string, string> };
}

/** Files never shipped: source maps and type declarations are useless at run time. */
const SKIP = /\.(map|d\.ts)$/;

/** A fixed modification time, so the zip's bytes depend only on the files' contents. */
const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

/** Bare module specifiers imported by a compiled ES module (`import`, `export ... from`, `import()`). */
export function importedSpecifiers(code: string): string[] {
  const out = new Set<string>();
  const patterns = [
    /\bimport\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+[^'"]*?\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.add(m[1]!);
  return [...out].sort();
}

/** npm package name of a bare specifier (`@scope/pkg/sub` → `@scope/pkg`); undefined for relative and `node:` ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Packages reachable from `entry` through static and dynamic imports (string literals only) of the
 * compiled JS files; Node built-ins are left out.
 */
export function reachablePackages(entry: string): string[] {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const spec of importedSpecifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else {
        const pkg = packageOf(spec);
        if (pkg && !isBuiltin(pkg)) packages.add(pkg);
      }
    }
  }
  return [...packages].sort();
}

function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !SKIP.test(src) });
}

function pinTimes(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) pinTimes(p);
    utimesSync(p, FIXED_TIME, FIXED_TIME);
  }
}

/**
 * Assemble the package folder: `dist/**` (without maps), `sql/**`, and a `package.json` whose
 * dependencies are the root package's dependencies that the code reachable from `dist/<main>` imports.
 * No `scripts`: Cloud Build would otherwise run a `build` script on the uploaded JS.
 * @throws Error when the build is missing (run `npm run build` first) or imports an undeclared package
 */
export function assembleFunctionSource(options: FunctionSourceOptions): FunctionSource {
  const root = resolve(options.repoRoot);
  const dist = join(root, 'dist');
  const main = options.main ?? 'index.js';
  const outDir = resolve(options.outDir ?? join(root, '.gen', 'function-source'));
  if (!existsSync(join(dist, main))) {
    throw new Error(`no build at ${join(dist, main)}: run "npm run build" before synthesizing the infrastructure`);
  }
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    engines?: Record<string, string>;
    dependencies?: Record<string, string>;
  };
  const declared = rootPkg.dependencies ?? {};
  const used = reachablePackages(join(dist, main));
  const undeclared = used.filter((p) => !(p in declared));
  if (undeclared.length) throw new Error(`the functions import packages missing from package.json dependencies: ${undeclared.join(', ')}`);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const distName = 'dist';
  copyTree(dist, join(outDir, distName));
  copyTree(join(root, 'sql'), join(outDir, 'sql'));
  const packageJson = {
    name: `${rootPkg.name}-functions`,
    version: rootPkg.version,
    private: true,
    type: 'module',
    main: `${distName}/${main}`,
    engines: { node: rootPkg.engines?.node ?? '>=22' },
    dependencies: Object.fromEntries(used.map((p) => [p, declared[p]!])),
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  pinTimes(outDir);
  return { dir: outDir, packageJson };
}
