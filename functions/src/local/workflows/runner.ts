/**
 * Public entry points: run a Cloud Workflows definition locally.
 */
import { readFile } from 'node:fs/promises';
import { Raised, toWorkflowError, WorkflowDefinitionError } from './errors.js';
import { collectCalls, parseWorkflow, type Workflow } from './parse.js';
import { Interpreter, type Connector } from './steps.js';
import { getStdFunction, type FetchLike, type LogEntry } from './stdlib.js';
import { fromJs, toJs } from './values.js';

/** Options of {@link runWorkflow}. Every side effect can be injected for tests. */
export interface RunOptions {
  /** Execution argument, bound to `main`'s single parameter (plain JS/JSON value). */
  args?: unknown;
  /** Values returned by `sys.get_env` (e.g. `GOOGLE_CLOUD_PROJECT_ID`). Defaults to none. */
  env?: Record<string, string>;
  /** Clock in milliseconds since the epoch, for `sys.now` / `sys.sleep_until`. Default `Date.now`. */
  now?: () => number;
  /** Sleep used by `sys.sleep` and retry back-off. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Sink for `sys.log`. Default: one JSON line per entry on stderr. */
  log?: (entry: LogEntry) => void;
  /** fetch implementation for `http.*` calls. Default: global `fetch` (undici). */
  fetch?: FetchLike;
  /** Implementations of `call:` targets such as `googleapis.…` connectors, keyed by full name. */
  connectors?: Record<string, Connector>;
  /** Called before each step executes, with the step name. */
  onStep?: (name: string) => void;
  /** Maximum number of executed steps (Cloud Workflows' limit: 100,000). */
  maxSteps?: number;
  /** Maximum subworkflow call depth before a RecursionError. Default 20. */
  maxCallDepth?: number;
  /** Concurrency of `parallel` steps without `concurrency_limit`. Default 20. */
  defaultConcurrencyLimit?: number;
}

/** Cloud Workflows' per-execution step limit. */
export const DEFAULT_MAX_STEPS = 100_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const stderrLog = (entry: LogEntry) => {
  process.stderr.write(`${JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
};

/**
 * Checks `call:` targets before running, so a typo fails before any side effect.
 * `googleapis.*` names are only checked when reached: which connectors a run
 * provides is up to the caller.
 */
function checkCalls(wf: Workflow, connectors: Record<string, Connector>): void {
  for (const { step, name } of collectCalls(wf)) {
    if (wf.subworkflows.has(name) || getStdFunction(name) || connectors[name] || name.startsWith('googleapis.')) continue;
    if (/^(events|experimental|hash)\./.test(name)) continue; // UnsupportedError when reached
    throw new WorkflowDefinitionError(`unknown call target "${name}" (not a subworkflow, standard-library function or connector)`, step);
  }
}

/**
 * Runs a workflow given as YAML text and resolves with the value returned by
 * `main` (plain JS; `null` when main ends without `return`).
 *
 * @throws {WorkflowError} the workflow raised an error it did not handle; `.value`
 *   is the Workflows error value (`{message, tags, code?, ...}` or what `raise` gave).
 * @throws {WorkflowDefinitionError} the YAML is not a valid workflow.
 * @throws {UnsupportedError} a construct/call not available locally was reached.
 */
export async function runWorkflow(source: string, options: RunOptions = {}): Promise<unknown> {
  const wf = parseWorkflow(source);
  return runParsedWorkflow(wf, options);
}

/** Like {@link runWorkflow} for an already parsed workflow (see {@link parseWorkflow}). */
export async function runParsedWorkflow(wf: Workflow, options: RunOptions = {}): Promise<unknown> {
  const connectors = options.connectors ?? {};
  checkCalls(wf, connectors);
  const interpreter = new Interpreter(wf, {
    std: {
      nowMs: options.now ?? Date.now,
      sleep: options.sleep ?? realSleep,
      log: options.log ?? stderrLog,
      env: options.env ?? {},
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    },
    connectors,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    maxCallDepth: options.maxCallDepth ?? 20,
    defaultConcurrency: options.defaultConcurrencyLimit ?? 20,
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  try {
    return toJs(await interpreter.run(fromJs(options.args)));
  } catch (e) {
    if (e instanceof Raised) throw toWorkflowError(e);
    throw e;
  }
}

/** Reads a workflow YAML file and runs it with {@link runWorkflow}. */
export async function runWorkflowFile(path: string, options: RunOptions = {}): Promise<unknown> {
  return runWorkflow(await readFile(path, 'utf8'), options);
}
