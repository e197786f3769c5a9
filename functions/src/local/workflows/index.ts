/**
 * Local interpreter for Google Cloud Workflows YAML.
 *
 * ```ts
 * import { runWorkflowFile, WorkflowError } from './local/workflows/index.js';
 * const result = await runWorkflowFile('workflows/pipeline.yaml', {
 *   args: { month: '2020-10' },
 *   connectors: { 'googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run': runChild },
 * });
 * ```
 */
export { runWorkflow, runWorkflowFile, runParsedWorkflow, DEFAULT_MAX_STEPS, type RunOptions } from './runner.js';
export { parseWorkflow, type Workflow, type Subworkflow, type Step } from './parse.js';
export { WorkflowError, WorkflowDefinitionError, UnsupportedError } from './errors.js';
export type { Connector, ConnectorContext } from './steps.js';
export type { FetchLike, LogEntry } from './stdlib.js';
export { stdFunctionNames } from './stdlib.js';
