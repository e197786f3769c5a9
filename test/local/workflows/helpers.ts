import { runWorkflow, WorkflowError, type RunOptions } from '../../../functions/src/local/workflows/index.js';

/** Runs a YAML workflow with a no-op log and instant sleep unless overridden. */
export function run(yaml: string, opts: RunOptions = {}): Promise<unknown> {
  return runWorkflow(yaml, { log: () => {}, sleep: async () => {}, ...opts });
}

/** Evaluates one expression through a one-step workflow. */
export function evalExpr(expr: string, opts: RunOptions = {}): Promise<unknown> {
  return run(`- r:\n    return: ${JSON.stringify('${' + expr + '}')}\n`, opts);
}

/** The Workflows error value raised by a run (fails the test if none). */
export async function errorOf(p: Promise<unknown>): Promise<WorkflowError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WorkflowError) return e;
    throw e;
  }
  throw new Error('expected the workflow to raise');
}
