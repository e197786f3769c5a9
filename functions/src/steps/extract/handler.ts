/**
 * HTTP function `extract`. `{taxi, month}` (with `landing`: from that landed object) → ExtractResult,
 * recorded in the run ledger; `{landing}` alone → the landed object's verdict (LandingVerdict).
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Ledger } from '../../ports/ledger.js';
import { jsonHandler, LandingRequestSchema, MonthRequestSchema, type BodyParser, type LandingRequest, type Log, type MonthRequest } from '../http.js';
import { recorded } from '../recorded.js';
import { extract, type ExtractDeps } from './extract.js';
import { adoptLanded, classifyLanded } from './landed.js';

/** A body naming a month is a month request (its errors are a month request's); otherwise a landing one. */
const ExtractRequest: BodyParser<MonthRequest | LandingRequest> = {
  safeParse: (body) => (typeof body === 'object' && body !== null && !('taxi' in body) && 'landing' in body ? LandingRequestSchema : MonthRequestSchema).safeParse(body),
};

export function extractHandler(deps: ExtractDeps, ledger?: Ledger, log?: Log): HttpFunction {
  return jsonHandler(
    'extract',
    ExtractRequest,
    (req) => {
      if (!('taxi' in req)) return classifyLanded(deps.store, req.landing);
      const work = req.landing ? () => adoptLanded(deps, req.taxi, req.month, req.landing!, req.format) : () => extract(deps, req.taxi, req.month, req.format);
      return recorded(ledger, 'extract', req, work, log);
    },
    log,
  );
}
