/** HTTP function `extract`: `{taxi, month}` → ExtractResult, recorded in the run ledger. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Ledger } from '../../ports/ledger.js';
import { jsonHandler, MonthRequestSchema, type Log } from '../http.js';
import { recorded } from '../recorded.js';
import { extract, type ExtractDeps } from './extract.js';

export function extractHandler(deps: ExtractDeps, ledger?: Ledger, log?: Log): HttpFunction {
  return jsonHandler('extract', MonthRequestSchema, (req) => recorded(ledger, 'extract', req, () => extract(deps, req.taxi, req.month), log), log);
}
