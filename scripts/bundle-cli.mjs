/**
 * Bundle the CLI into `dist-cli/` (part of `npm run build`). Loading ~400 modules one by one (the
 * project's, DuckDB's API, undici, zod, the functions framework with express) took ~150-200 ms of
 * every command's start, most of it resolving, reading and compiling files rather than running them;
 * one bundle loads in ~75 ms. Code split at dynamic imports, so what a command may never need (DuckDB's
 * API, the deployed backfill's Google Cloud clients) still loads only when it is asked for.
 * Kept outside the bundle, loaded from node_modules as before:
 * - DuckDB's native bindings (a `.node` addon, found by its own platform package);
 * - the Google Cloud client libraries (they read their protocol definitions from files beside them),
 *   but not the functions framework, which the embedded mode serves the steps with.
 * `dist/` (the deployed functions' package) stays tsc's module-per-file output.
 *
 * `node scripts/bundle-cli.mjs [outdir]`: outdir (default `dist-cli/`) must be inside the repository,
 * where the CLI finds `sql/`, `workflows/` and `node_modules/` by walking up from its own file.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist-cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { 'taxi-elt': join(root, 'functions/src/cli/bundle.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  external: ['@duckdb/node-bindings', '@google-cloud/bigquery', '@google-cloud/storage', '@google-cloud/workflows', '@google-cloud/scheduler', '@google-cloud/secret-manager'],
  // CommonJS packages inside an ES module bundle still call require() (for Node's built-ins): give them one.
  banner: { js: "import { createRequire as __taxiRequire } from 'node:module'; const require = __taxiRequire(import.meta.url);" },
  logLevel: 'warning',
});
