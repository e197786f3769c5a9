/**
 * CDK for Terraform app: `tsx infra/main.ts` (or `cdktf synth`, which runs this through cdktf.json)
 * writes `cdktf.out/stacks/nyc-taxi-elt/cdk.tf.json` offline. Needs `npm run build` first: the
 * functions are packaged from `dist/`.
 *
 * Environment: `CDKTF_OUTDIR` (set by cdktf-cli; default `cdktf.out`), `TAXI_INFRA_STACK` (stack
 * name, default `nyc-taxi-elt`).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'cdktf';
import { assembleFunctionSource } from './function-source.js';
import { TaxiEltStack } from './stack.js';
import { BACKFILL_WORKFLOW, INGEST_WORKFLOW, readWorkflowSources } from './workflow-sources.js';

/** Default stack name (the folder under `cdktf.out/stacks/`). */
export const STACK_NAME = 'nyc-taxi-elt';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workflows = readWorkflowSources(join(repoRoot, 'workflows'));
for (const expected of [INGEST_WORKFLOW, BACKFILL_WORKFLOW]) {
  if (!workflows.some((w) => w.name === expected)) console.warn(`warning: workflows/${expected}.yaml not found; it is left out of the stack`);
}
const source = assembleFunctionSource({ repoRoot });

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? join(repoRoot, 'cdktf.out') });
new TaxiEltStack(app, process.env.TAXI_INFRA_STACK ?? STACK_NAME, { functionSourceDir: source.dir, workflows });
app.synth();
