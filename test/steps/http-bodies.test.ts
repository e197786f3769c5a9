/**
 * The step functions over HTTP (functions framework on loopback): bad bodies answer 400 with a
 * one-line reason and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startLocalStack } from '../../functions/src/local/run-month.js';
import { tempDir } from '../helpers/files.js';
import { testConfig } from '../helpers/stack.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const tmp = tempDir();
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  stack = await startLocalStack(testConfig('http://127.0.0.1:9', tmp.dir));
});
afterAll(async () => {
  await stack.close();
  tmp.cleanup();
});

async function post(fn: 'extract' | 'stage' | 'merge', body: string, contentType = 'application/json', method = 'POST') {
  const res = await request(stack.urls[fn], { method: method as 'POST', headers: { 'content-type': contentType }, body: method === 'GET' ? null : body });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: (() => { try { return JSON.parse(text) as { error: string }; } catch { return undefined; } })() };
}

const CASES: [string, string, string, RegExp][] = [
  ['empty object', 'extract', '{}', /^bad request: taxi: taxi must be "yellow", "green", "fhv" or "fhvhv"; month: month must be a string/],
  ['bad month', 'stage', '{"taxi":"green","month":"2020-13"}', /^bad request: month: month must be YYYY-MM with a month 01-12, got "2020-13"$/],
  ['a yellow month of the coordinate era', 'extract', '{"taxi":"yellow","month":"2010-02"}', /^yellow 2010-02 is not loadable: yellow files before 2011 have coordinates instead of zone ids .*; this pipeline loads yellow from 2011-01$/],
  ['an fhvhv month before the dataset', 'stage', '{"taxi":"fhvhv","month":"2019-01"}', /^fhvhv 2019-01 is not loadable: the TLC publishes high-volume for-hire trips from 2019-02$/],
  ['a since that is not epoch milliseconds', 'stage', '{"taxi":"green","month":"2020-10","since":"yesterday"}', /^bad request: since: since must be epoch milliseconds$/],
  ['bad taxi', 'merge', '{"taxi":"purple","month":"2020-10"}', /^bad request: taxi: taxi must be "yellow", "green", "fhv" or "fhvhv"$/],
  ['unknown field', 'extract', '{"taxi":"green","month":"2020-10","force":true}', /^bad request: unknown field\(s\) force$/],
  ['a list', 'extract', '[1,2]', /^bad request: /],
  ['bad run id', 'stage', '{"taxi":"green","month":"2020-10","run":"x; DROP"}', /^bad request: run: run must be 1-64 letters, digits, "_" or "-"$/],
  ['injection in month', 'merge', '{"taxi":"green","month":"2020-10\'; DROP TABLE x; --"}', /^bad request: month: month must be YYYY-MM/],
  ['a landing outside landing/', 'extract', '{"taxi":"green","month":"2020-10","landing":"raw/green/2020/green_tripdata_2020-10.csv.gz"}', /^bad request: landing: landing must be an object key under landing\/$/],
  ['a landing climbing out', 'extract', '{"taxi":"green","month":"2020-10","landing":"landing/../raw/x.csv.gz"}', /^bad request: landing: landing must be an object key under landing\/$/],
  ['a landed file of another month', 'extract', '{"taxi":"green","month":"2020-09","landing":"landing/green_tripdata_2020-10.csv.gz"}', /^landing: landing\/green_tripdata_2020-10\.csv\.gz is not a landed green 2020-09 file$/],
  ['a format that is not one', 'stage', '{"taxi":"green","month":"2020-10","format":"xlsx"}', /^bad request: format: format must be "parquet" or "csv"$/],
  ['a format other than the source\'s without a landed file', 'extract', '{"taxi":"green","month":"2020-10","format":"parquet","run":"r1"}', /^format parquet is not the source's \(csv\): a parquet file is loaded from landing\/$/],
  ['a landing verdict asked with an empty key', 'extract', '{"landing":""}', /^bad request: landing: landing must be an object key$/],
  ['a landing verdict with an unknown field', 'extract', '{"landing":"landing/x","force":true}', /^bad request: unknown field\(s\) force$/],
];

describe('bad request bodies', () => {
  it.each(CASES)('%s → 400 with a reason', async (_name, fn, body, reason) => {
    const r = await post(fn as 'extract', body);
    expect(r.status).toBe(400);
    expect(r.json?.error).toMatch(reason);
    expect(r.json?.error).not.toMatch(/\n/);
  });

  it.each(['{"taxi": "green",', '42'])('unparsable JSON %s → 400 without a stack trace (the framework answers)', async (body) => {
    const r = await post('extract', body);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/Bad Request/);
    expect(r.text).not.toMatch(/at JSON\.parse|node_modules/);
  });

  it('a text body → 400 with a reason', async () => {
    const r = await post('extract', 'taxi=green', 'text/plain');
    expect(r.status).toBe(400);
    expect(r.json?.error).toMatch(/needs a JSON object body/);
  });

  it('GET → 405', async () => {
    const r = await post('stage', '', 'application/json', 'GET');
    expect(r.status).toBe(405);
  });

  it('stage before extract → 400 naming the missing raw file; nothing created', async () => {
    const r = await post('stage', '{"taxi":"green","month":"2020-10"}');
    expect(r.status).toBe(400);
    expect(r.json?.error).toBe('no raw csv file for green 2020-10 in the lake: run extract first');
    expect(existsSync(join(tmp.dir, 'lake', 'raw'))).toBe(false);
  });

  it('an unreachable source → 424 after its own retries (the workflow does not retry it again), one line', async () => {
    const r = await post('extract', '{"taxi":"green","month":"2020-10"}');
    expect(r.status).toBe(424);
    expect(r.json?.error).toMatch(/^source http:\/\/127\.0\.0\.1:9\/green\/green_tripdata_2020-10\.csv\.gz failed after 4 attempt\(s\)/);
  });
});
