/** HTTP function `stage`: `{taxi, month}` → StageResult. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { jsonHandler, MonthRequestSchema, type Log } from '../http.js';
import type { WarehouseStepDeps } from '../month-job.js';
import { stage } from './stage.js';

export function stageHandler(deps: WarehouseStepDeps, log?: Log): HttpFunction {
  return jsonHandler('stage', MonthRequestSchema, ({ taxi, month, run }) => stage(deps, taxi, month, run), log);
}
