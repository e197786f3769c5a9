/** HTTP function `stage`: `{taxi, month}` (`format`: which of its raw files, default the source's) → StageResult, recorded in the run ledger. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Ledger } from '../../ports/ledger.js';
import { jsonHandler, MonthRequestSchema, type Log } from '../http.js';
import { recorded } from '../recorded.js';
import type { WarehouseStepDeps } from '../month-job.js';
import { stage } from './stage.js';

export function stageHandler(deps: WarehouseStepDeps, ledger?: Ledger, log?: Log): HttpFunction {
  return jsonHandler('stage', MonthRequestSchema, (req) => recorded(ledger, 'stage', req, () => stage(req.format ? { ...deps, format: req.format } : deps, req.taxi, req.month, req.run, req.since), log), log);
}
