/**
 * Test fixture: a synthesized stack built from a fake function build (no `npm run build` needed) and
 * the workflow files of `workflows/`, with stand-ins (in a temp folder, never in the repo) for the
 * expected files that do not exist yet.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdktf';
import { assembleFunctionSource } from '../../infra/function-source.js';
import { TaxiEltStack } from '../../infra/stack.js';
import { BACKFILL_WORKFLOW, INGEST_WORKFLOW, readWorkflowSources, type WorkflowSource } from '../../infra/workflow-sources.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Write files under a fresh temp folder. */
export function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'taxi-infra-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A minimal repository with a compiled-looking dist/, sql/ and a package.json. */
export function fakeRepo(): string {
  return tempTree({
    'package.json': JSON.stringify({
      name: 'nyc-taxi-elt',
      version: '9.9.9',
      engines: { node: '>=22' },
      scripts: { build: 'tsc' },
      dependencies: { '@google-cloud/functions-framework': '^5', zod: '^4', '@google-cloud/bigquery': '^9', commander: '^15', 'cli-progress': '^3' },
      devDependencies: { vitest: '^5' },
    }),
    'dist/index.js': "import * as ff from '@google-cloud/functions-framework';\nimport { parseConfig } from './config.js';\nexport { x } from './x.js';\n",
    'dist/index.js.map': '{}',
    'dist/config.js': "import { z } from 'zod';\nimport { join } from 'node:path';\nimport fs from 'fs';\nexport const parseConfig = () => z;\n",
    'dist/x.js': "export const x = async () => (await import('./adapters/gcp.js')).y;\n",
    'dist/adapters/gcp.js': "import { BigQuery } from '@google-cloud/bigquery';\nexport const y = BigQuery;\n",
    'dist/cli/main.js': "import { Command } from 'commander';\n",
    'sql/bigquery/00_tables.sql': 'CREATE TABLE IF NOT EXISTS {{main_table}} (x INT64);\n',
    'sql/duckdb/00_tables.sql': 'CREATE TABLE IF NOT EXISTS {{main_table}} (x BIGINT);\n',
  });
}

/** Stand-in definitions with Workflows expressions that Terraform would interpolate if unescaped. */
const STAND_INS: Record<string, string> = {
  [INGEST_WORKFLOW]:
    'main:\n  params: [args]\n  steps:\n    - extract:\n        call: http.post\n        args:\n          url: ${sys.get_env("EXTRACT_URL")}\n          auth: {type: OIDC}\n          body: ${args}\n        result: r\n    - done:\n        return: "%{not a template} ${r.body}"\n',
  [BACKFILL_WORKFLOW]:
    'main:\n  params: [args]\n  steps:\n    - run:\n        call: googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run\n        args:\n          workflow_id: ${sys.get_env("INGEST_WORKFLOW")}\n          argument: ${args}\n',
};

/** The files of workflows/, plus stand-ins for the expected ones that are missing. */
export function workflowSources(): WorkflowSource[] {
  const real = readWorkflowSources(join(REPO_ROOT, 'workflows'));
  const missing = Object.fromEntries(Object.entries(STAND_INS).filter(([name]) => !real.some((w) => w.name === name)).map(([name, text]) => [`${name}.yaml`, text]));
  const standIns = Object.keys(missing).length ? readWorkflowSources(tempTree(missing)) : [];
  return [...real, ...standIns].sort((a, b) => a.name.localeCompare(b.name));
}

/** Synthesized Terraform JSON of a resource: type → logical id → config. */
export type Resources = Record<string, Record<string, Record<string, unknown> & { '//': { metadata: { path: string } } }>>;

/** Everything a test needs: the stack, its JSON and lookup helpers. */
export interface Synthesized {
  readonly stack: TaxiEltStack;
  readonly json: string;
  readonly tf: { resource: Resources; data?: Resources; variable: Record<string, Record<string, unknown>>; output: Record<string, { value: unknown }>; provider: Record<string, unknown> };
  readonly workflows: WorkflowSource[];
  /** Output folder of the full synthesis. */
  readonly outdir: string;
}

let cached: Synthesized | undefined;

/** Synthesize the stack once per test file. */
export function synthesized(): Synthesized {
  if (cached) return cached;
  const source = assembleFunctionSource({ repoRoot: fakeRepo() });
  const workflows = workflowSources();
  const app = Testing.app();
  const stack = new TaxiEltStack(app, 'test-stack', { functionSourceDir: source.dir, workflows });
  // fullSynth keeps the construct paths ("//" metadata) and writes the assets (the source zip).
  const outdir = Testing.fullSynth(stack);
  const json = readFileSync(join(outdir, 'stacks', 'test-stack', 'cdk.tf.json'), 'utf8');
  cached = { stack, json, tf: JSON.parse(json), workflows, outdir };
  return cached;
}

/** All resources of a type (a data source: `data.<type>`) as [logical id, config, construct path]. */
export function resourcesOf(s: Synthesized, type: string): Array<{ id: string; config: Record<string, any>; path: string }> {
  const byId = type.startsWith('data.') ? (s.tf.data?.[type.slice(5)] ?? {}) : (s.tf.resource[type] ?? {});
  return Object.entries(byId as Record<string, Record<string, any>>).map(([id, config]) => ({ id, config, path: config['//'].metadata.path }));
}

/** `${type.id.attr}` of the resource whose construct path ends with `suffix`. */
export function refTo(s: Synthesized, type: string, suffix: string, attr: string): string {
  const found = resourcesOf(s, type).filter((r) => r.path.endsWith(suffix));
  if (found.length !== 1) throw new Error(`${found.length} ${type} resources at ...${suffix}`);
  return `\${${type}.${found[0]!.id}.${attr}}`;
}
