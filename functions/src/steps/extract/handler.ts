/** HTTP function `extract`: `{taxi, month}` → ExtractResult. */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { jsonHandler, MonthRequestSchema, type Log } from '../http.js';
import { extract, type ExtractDeps } from './extract.js';

export function extractHandler(deps: ExtractDeps, log?: Log): HttpFunction {
  return jsonHandler('extract', MonthRequestSchema, ({ taxi, month }) => extract(deps, taxi, month), log);
}
