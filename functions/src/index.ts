/**
 * Cloud Functions entry points: registers the HTTP functions `extract`, `stage`, `merge` and `notify` with the
 * functions framework. Configuration is read here, once, from the function's environment.
 */
import * as ff from '@google-cloud/functions-framework';
import { parseConfig } from './config.js';
import { createAdapters, stepDeps } from './wiring.js';
import { extractHandler } from './steps/extract/handler.js';
import { stageHandler } from './steps/stage/handler.js';
import { mergeHandler } from './steps/merge/handler.js';
import { notifyHandler } from './steps/notify/handler.js';

const config = parseConfig();
const deps = stepDeps(config, await createAdapters(config));

ff.http('extract', extractHandler(deps.extract));
ff.http('stage', stageHandler(deps.warehouse));
ff.http('merge', mergeHandler(deps.warehouse));
ff.http('notify', notifyHandler(deps.notify));
