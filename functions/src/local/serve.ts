/**
 * The embedded runtime's functions: the same handlers as the cloud entry point, registered with the
 * functions framework and served on loopback, one server per function as Cloud Run would.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { StepDeps } from '../wiring.js';
import { extractHandler } from '../steps/extract/handler.js';
import { stageHandler } from '../steps/stage/handler.js';
import { mergeHandler } from '../steps/merge/handler.js';
import { notifyHandler } from '../steps/notify/handler.js';
import { catalogHandler } from '../steps/catalog/handler.js';
import type { Log } from '../steps/http.js';

/** Function name → base URL. */
export type FunctionUrls = Record<'catalog' | 'extract' | 'stage' | 'merge' | 'notify', string>;

export interface ServedFunctions {
  urls: FunctionUrls;
  close(): Promise<void>;
}

/** Serve the step functions on 127.0.0.1, each on its own port. */
export async function serveFunctions(deps: StepDeps, log?: Log): Promise<ServedFunctions> {
  const handlers = {
    catalog: catalogHandler(deps.catalog, log),
    extract: extractHandler(deps.extract, deps.ledger, log),
    stage: stageHandler(deps.warehouse, deps.ledger, log),
    merge: mergeHandler(deps.warehouse, deps.ledger, log),
    notify: notifyHandler(deps.notify, log),
  };
  // The framework's express app answers an unparsable JSON body with its own error page, which
  // carries a stack trace unless express runs in production mode, as it does on Cloud Functions.
  process.env.NODE_ENV = 'production';
  const servers: Server[] = [];
  const urls = {} as FunctionUrls;
  for (const [name, handler] of Object.entries(handlers) as [keyof FunctionUrls, ff.HttpFunction][]) {
    ff.http(name, handler);
    const server = getTestServer(name) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }
  return {
    urls,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections?.();
            }),
        ),
      );
    },
  };
}
