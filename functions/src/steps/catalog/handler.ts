/** HTTP function `catalog`: `{run?}` → CatalogResult (the zone lookup and the analyst catalog refreshed). */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { jsonHandler, type Log } from '../http.js';
import { refreshCatalog, type CatalogDeps } from './catalog.js';

/** The request: the calling execution, for logs; nothing else. */
export const CatalogRequestSchema = z.strictObject({ run: z.string().min(1).max(200).optional() });

export function catalogHandler(deps: CatalogDeps, log?: Log): HttpFunction {
  return jsonHandler('catalog', CatalogRequestSchema, () => refreshCatalog(deps), log);
}
