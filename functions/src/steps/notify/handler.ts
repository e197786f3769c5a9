/** HTTP function `notify`: a failure report → a webhook POST (or nothing when no webhook is set). */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { jsonHandler, type Log } from '../http.js';
import { notify, NotifyRequestSchema, type NotifyDeps } from './notify.js';

export function notifyHandler(deps: NotifyDeps, log?: Log): HttpFunction {
  return jsonHandler('notify', NotifyRequestSchema, (n) => notify(deps, n), log);
}
