/**
 * Run one month end to end on the embedded stack: the step functions served on loopback by the
 * functions framework and called over HTTP in order.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Taxi } from '../domain/datasets.js';
import { messageOf, PipelineError } from '../domain/errors.js';
import type { Month } from '../domain/months.js';
import { summarize, type RunSummary, type StepAnswers } from '../domain/summary.js';
import type { ExtractDeps, ExtractResult } from '../steps/extract/extract.js';
import type { Log } from '../steps/http.js';
import { localAdapters, stepDeps } from '../wiring.js';
import { callFunction } from './call-function.js';
import { serveFunctions, type FunctionUrls } from './serve.js';

export interface RunMonthOptions {
  onProgress?: ExtractDeps['onProgress'];
  onStep?: (step: 'extract' | 'stage' | 'merge') => void;
  /** Function logs; by default they go to `<dataDir>/functions.log`, keeping the terminal clean. */
  log?: Log;
}

/** A log that appends JSON lines to a file. */
export function fileLog(path: string): Log {
  mkdirSync(join(path, '..'), { recursive: true });
  return (severity, message, fields) => appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), severity, message, ...fields })}\n`);
}

/**
 * The local embedded stack for one session: functions served, adapters open. `close` stops both.
 */
export async function startLocalStack(config: Config, options: RunMonthOptions = {}) {
  const adapters = localAdapters(config);
  const deps = stepDeps(config, adapters, options.onProgress);
  const served = await serveFunctions(deps, options.log ?? fileLog(join(config.dataDir, 'functions.log')));
  return {
    urls: served.urls,
    adapters,
    close: async () => {
      await served.close();
      await adapters.warehouse.close();
    },
  };
}

/** The extract → stage → merge chain over HTTP. Failures become a `failed` summary, not a throw. */
export async function chainMonth(urls: FunctionUrls, taxi: Taxi, month: Month, options: RunMonthOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const answers: StepAnswers = { extract: { status: 'not_published', rawUri: null, object: null } };
  try {
    options.onStep?.('extract');
    answers.extract = await callFunction<ExtractResult>('extract', urls.extract, { taxi, month });
    if (answers.extract.status !== 'not_published') {
      options.onStep?.('stage');
      const staged = await callFunction<{ status: string }>('stage', urls.stage, { taxi, month });
      if (staged.status === 'skipped') return summarize(taxi, month, { ...answers, merge: { status: 'skipped' } }, Date.now() - started);
      options.onStep?.('merge');
      answers.merge = await callFunction<NonNullable<StepAnswers['merge']>>('merge', urls.merge, { taxi, month });
    }
    return summarize(taxi, month, answers, Date.now() - started);
  } catch (err) {
    if (err instanceof PipelineError && err.kind === 'bad_request') throw err;
    return summarize(taxi, month, answers, Date.now() - started, messageOf(err));
  }
}

/** Start the local stack, run one month, stop the stack. */
export async function runMonth(config: Config, taxi: Taxi, month: Month, options: RunMonthOptions = {}): Promise<RunSummary> {
  const stack = await startLocalStack(config, options);
  try {
    return await chainMonth(stack.urls, taxi, month, options);
  } finally {
    await stack.close();
  }
}
