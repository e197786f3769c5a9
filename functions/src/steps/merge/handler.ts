/** HTTP function `merge`: `{taxi, month}` → MergeResult. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { jsonHandler, MonthRequestSchema, type Log } from '../http.js';
import type { WarehouseStepDeps } from '../month-job.js';
import { merge } from './merge.js';

export function mergeHandler(deps: WarehouseStepDeps, log?: Log): HttpFunction {
  return jsonHandler('merge', MonthRequestSchema, ({ taxi, month, run }) => merge(deps, taxi, month, run), log);
}
