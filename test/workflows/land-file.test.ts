/**
 * land_file.yaml on the local stack, given what the Eventarc trigger delivers: the bucket's Pub/Sub
 * notification as a CloudEvent. Objects outside landing/ (and in landing/rejected/) start nothing.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config.js';
import { executionError, runWorkflowOnStack, startLocalStack } from '../../functions/src/local/run-month.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { fingerprint } from '../helpers/stack.js';
import { webhookReceiver } from '../helpers/webhook.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The CloudEvent Eventarc makes of a GCS notification message (JSON_API_V1 payload) for `objectId`. */
function pubsubEvent(objectId: string) {
  const object = { kind: 'storage#object', bucket: 'lake', name: objectId, generation: '1733328000000000', size: '2412345' };
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/taxi-landing',
    id: '1',
    time: '2026-12-04T12:00:00Z',
    data: {
      subscription: 'projects/p/subscriptions/eventarc-taxi-land-file',
      message: {
        attributes: { bucketId: 'lake', objectId, objectGeneration: object.generation, eventType: 'OBJECT_FINALIZE', payloadFormat: 'JSON_API_V1', notificationConfig: 'projects/_/buckets/lake/notificationConfigs/1' },
        data: Buffer.from(JSON.stringify(object)).toString('base64'),
        messageId: '1',
        publishTime: '2026-12-04T12:00:00Z',
      },
    },
  };
}

describe('land_file.yaml', () => {
  it('loads the month of the object a notification names, as a child execution of ingest_month', async () => {
    const dir = join(tmp.dir, 'event');
    const config = parseConfig({ TAXI_DATA_DIR: dir });
    mkdirSync(join(dir, 'lake', 'landing'), { recursive: true });
    copyFileSync(REAL_MONTH, join(dir, 'lake', 'landing', 'green_tripdata_2020-10.csv.gz'));
    const stack = await startLocalStack(config);
    try {
      const result = await runWorkflowOnStack(config, stack, 'land_file.yaml', pubsubEvent('landing/green_tripdata_2020-10.csv.gz'));
      expect(result).toMatchObject({ object: 'landing/green_tripdata_2020-10.csv.gz', taxi: 'green', month: '2020-10', status: 'succeeded', rowsLoaded: 95_111 });
      // Uploads elsewhere in the lake, and the rejected folder, start nothing.
      for (const key of ['raw/green/2020/green_tripdata_2020-10.csv.gz', 'loads/green/green_tripdata_2020-10.json', 'landing/rejected/x.csv.gz', 'landing/', 'landing/.green_tripdata_2020-11.csv.gz.part']) {
        expect(await runWorkflowOnStack(config, stack, 'land_file.yaml', pubsubEvent(key))).toEqual({ object: key, status: 'ignored' });
      }
      expect(existsSync(join(dir, 'lake', 'landing', 'rejected'))).toBe(false);
      // An event without an object is a bad argument, one line.
      const err = await runWorkflowOnStack(config, stack, 'land_file.yaml', { data: { message: { attributes: {} } } }).catch((e: unknown) => e);
      expect(executionError(err)).toBe('validate: invalid argument: no object key in the event (expected data.message.attributes.objectId or object), got {"data":{"message":{"attributes":{}}}}');
    } finally {
      await stack.close();
    }
    const [n] = Object.values(await fingerprint(dir, 'green_tripdata'));
    expect(n).toBe('95111');
  });

  it('when the extract function fails, says in an alert and in its error that the object stays in landing/', async () => {
    const dir = join(tmp.dir, 'broken');
    const hook = await webhookReceiver();
    // The extract function as a failing deployment answers: a 500 with its one-line error (not retried).
    const broken = createServer((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal: the lake is unreachable' })));
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    const config = parseConfig({ TAXI_DATA_DIR: dir, TAXI_ALERT_WEBHOOK: hook.url });
    mkdirSync(join(dir, 'lake', 'landing'), { recursive: true });
    const landed = join(dir, 'lake', 'landing', 'green_tripdata_2020-10.csv.gz');
    copyFileSync(REAL_MONTH, landed);
    const stack = await startLocalStack(config);
    try {
      const extract = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/extract`;
      const err = await runWorkflowOnStack(config, { ...stack, urls: { ...stack.urls, extract } }, 'land_file.yaml', pubsubEvent('landing/green_tripdata_2020-10.csv.gz')).catch((e: unknown) => e);
      expect(executionError(err)).toBe('classify: landing/green_tripdata_2020-10.csv.gz stays in landing/: internal: the lake is unreachable');
      expect(hook.received).toEqual([
        expect.objectContaining({
          workflow: 'land_file',
          step: 'landing',
          error: 'landing/green_tripdata_2020-10.csv.gz was not loaded and stays in landing/ (to load it, run land_file again with object landing/green_tripdata_2020-10.csv.gz): internal: the lake is unreachable',
        }),
      ]);
      expect(existsSync(landed)).toBe(true);
    } finally {
      await stack.close();
      await hook.close();
      await new Promise<void>((r) => broken.close(() => r()));
    }
  });

  it('ingest_month refuses a landing without a month or with another origin', async () => {
    const config = parseConfig({ TAXI_DATA_DIR: join(tmp.dir, 'refuse') });
    const stack = await startLocalStack(config);
    try {
      for (const args of [{ taxi: 'green', landing: 'landing/green_tripdata_2020-10.csv.gz', origin: 'landing' }, { taxi: 'green', month: '2020-10', landing: 'landing/green_tripdata_2020-10.csv.gz' }]) {
        const err = await runWorkflowOnStack(config, stack, 'ingest_month.yaml', args).catch((e: unknown) => e);
        expect(executionError(err)).toBe('validate: invalid argument: landing is given with a month and origin "landing" (land_file.yaml does)');
      }
    } finally {
      await stack.close();
    }
  });
});
