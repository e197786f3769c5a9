/**
 * Cloud Functions entry points: registers the HTTP functions `catalog`, `extract`, `stage`, `merge` and `notify` with the
 * functions framework. Configuration is read here, once, from the function's environment.
 */
import * as ff from '@google-cloud/functions-framework';
import { parseConfig } from './config.js';
import { gcpAdapters } from './adapters/gcp.js';
import { BadRequestError } from './domain/errors.js';
import { stepDeps } from './wiring.js';
import { extractHandler } from './steps/extract/handler.js';
import { stageHandler } from './steps/stage/handler.js';
import { mergeHandler } from './steps/merge/handler.js';
import { notifyHandler } from './steps/notify/handler.js';
import { catalogHandler } from './steps/catalog/handler.js';

const config = parseConfig();
// Deployed functions talk to GCS and BigQuery only; the embedded mode (DuckDB, a local folder) is served
// by bin/taxi-elt, so the deployed package never carries DuckDB's native addon.
if (config.target !== 'gcp') throw new BadRequestError('the deployed functions need TAXI_TARGET=gcp; for the embedded mode use bin/taxi-elt');
const deps = stepDeps(config, await gcpAdapters(config));

ff.http('catalog', catalogHandler(deps.catalog));
ff.http('extract', extractHandler(deps.extract, deps.ledger));
ff.http('stage', stageHandler(deps.warehouse, deps.ledger));
ff.http('merge', mergeHandler(deps.warehouse, deps.ledger));
ff.http('notify', notifyHandler(deps.notify));
