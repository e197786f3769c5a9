/**
 * `backfill --target gcp`: start the deployed backfill workflow with `@google-cloud/workflows` and
 * follow the execution to its end. Equivalent to
 * `gcloud workflows run backfill --location=L --data='{"taxi":"all","from":"2019-01","to":"2019-03"}'`.
 */
import { ExecutionsClient } from '@google-cloud/workflows';
import { PipelineError } from '../domain/errors.js';
import type { BackfillArgs, BackfillResult } from '../local/run-month.js';

export interface DeployedWorkflow {
  project: string;
  location: string;
  workflow: string;
}

/** Client options (tests point it at a loopback server over REST). */
export type ExecutionsClientOptions = ConstructorParameters<typeof ExecutionsClient>[0];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Create an execution of the backfill workflow and poll it until it leaves ACTIVE.
 * @throws PipelineError when the execution fails or is cancelled, with the workflow's error message
 */
export async function runDeployedBackfill(
  target: DeployedWorkflow,
  args: BackfillArgs,
  showProgress: boolean,
  clientOptions: ExecutionsClientOptions = {},
  pollMs = 5_000,
  say: (line: string) => void = (line) => process.stderr.write(line),
): Promise<BackfillResult> {
  const client = new ExecutionsClient(clientOptions);
  const parent = client.workflowPath(target.project, target.location, target.workflow);
  const [created] = await client.createExecution({ parent, execution: { argument: JSON.stringify(args) } });
  const name = created.name!;
  const started = Date.now();
  say(`started ${name}\n`);
  for (;;) {
    const [execution] = await client.getExecution({ name });
    const state = String(execution.state);
    if (showProgress) say(`\r${state} for ${Math.round((Date.now() - started) / 1000)} s`);
    if (state === 'SUCCEEDED') {
      if (showProgress) say('\n');
      return JSON.parse(execution.result ?? 'null') as BackfillResult;
    }
    if (state !== 'ACTIVE' && state !== 'QUEUED' && state !== 'STATE_UNSPECIFIED') {
      if (showProgress) say('\n');
      const payload = execution.error?.payload ?? '';
      let message = payload;
      try {
        message = (JSON.parse(payload) as { message?: string }).message ?? payload;
      } catch {
        // the payload is plain text
      }
      throw new PipelineError('internal', `backfill execution ${name} ended ${state}: ${message || 'no error payload'}`);
    }
    await sleep(pollMs);
  }
}
