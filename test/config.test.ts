/**
 * parseConfig: defaults, overrides, and one clear line for every bad value.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/src/config.js';

describe('parseConfig', () => {
  it('defaults to the embedded mode and the TLC Parquet feed', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      target: 'local',
      sourceUrl: 'tlc',
      source: { template: 'https://d37ci6vzurychx.cloudfront.net/trip-data/{taxi}_tripdata_{YYYY}-{MM}.parquet', format: 'parquet' },
      schemaContract: 'freeze',
      scheduleWindow: 3,
      dataDir: resolve('./.taxi'),
      httpRetries: 5,
      monthLag: 1,
      alertWebhook: null,
      workflowsDir: null,
    });
    expect(c.gcp).toBeUndefined();
  });

  it('reads the gcp target when every variable is there', () => {
    const c = parseConfig({ TAXI_TARGET: 'gcp', TAXI_GCP_PROJECT: 'my-project', TAXI_GCP_LOCATION: 'EU', TAXI_BQ_DATASET: 'nyc_taxi', TAXI_GCS_BUCKET: 'my-lake' });
    expect(c.gcp).toEqual({ project: 'my-project', location: 'EU', dataset: 'nyc_taxi', bucket: 'my-lake' });
  });

  it.each([
    [{ TAXI_TARGET: 'gcp' }, 'TAXI_TARGET=gcp needs TAXI_GCP_PROJECT, TAXI_GCP_LOCATION, TAXI_BQ_DATASET, TAXI_GCS_BUCKET'],
    [{ TAXI_TARGET: 'gcp', TAXI_GCP_PROJECT: 'my-project', TAXI_GCP_LOCATION: 'EU', TAXI_GCS_BUCKET: 'my-lake' }, 'TAXI_TARGET=gcp needs TAXI_BQ_DATASET'],
    [{ TAXI_TARGET: 'aws' }, 'TAXI_TARGET must be "local" or "gcp"'],
    [{ TAXI_TARGET: 'gcp', TAXI_GCP_PROJECT: 'p-1', TAXI_GCP_LOCATION: 'EU', TAXI_BQ_DATASET: 'd', TAXI_GCS_BUCKET: 'b' }, 'TAXI_GCP_PROJECT must be a GCP project id'],
    [{ TAXI_BQ_DATASET: 'x`; DROP TABLE y' }, 'TAXI_BQ_DATASET must be a dataset name (letters, digits, underscores), got "x`; DROP TABLE y"'],
    [{ TAXI_SOURCE_URL: 'file:///etc/passwd' }, 'TAXI_SOURCE_URL (--source) must be "tlc" or "mirror", an http(s) URL template with {taxi}, {YYYY} and {MM}, or a mirror base URL, got "file:///etc/passwd"'],
    [{ TAXI_HTTP_RETRIES: '-1' }, 'TAXI_HTTP_RETRIES must be at least 0'],
    [{ TAXI_MONTH_LAG: '1.5' }, 'TAXI_MONTH_LAG must be a whole number'],
    [{ TAXI_ALERT_WEBHOOK: 'not a url' }, 'TAXI_ALERT_WEBHOOK must be an http(s) URL, got "not a url"'],
    [{ TAXI_DUCKDB_MEMORY_LIMIT: 'lots' }, 'TAXI_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 2GB'],
    [{ TAXI_DUCKDB_MEMORY_LIMIT: ' 512MB' }, 'TAXI_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 2GB'],
  ])('%j → %s', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('takes DuckDB sizes in decimal and binary units, any case', () => {
    for (const v of ['512MB', '2gb', '1.5 GiB', '768MiB']) expect(parseConfig({ TAXI_DUCKDB_MEMORY_LIMIT: v }).duckdbMemoryLimit).toBe(v);
  });

  it('keeps the plain text unless TAXI_PLAIN_TEXT is off, and refuses other values in one line', () => {
    expect(parseConfig({}).plainText).toBe(true);
    expect(parseConfig({ TAXI_PLAIN_TEXT: 'off' }).plainText).toBe(false);
    expect(() => parseConfig({ TAXI_PLAIN_TEXT: 'no' })).toThrow('TAXI_PLAIN_TEXT must be "on" or "off"');
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ TAXI_SOURCE_URL: '', TAXI_ALERT_WEBHOOK: '' })).toMatchObject({ alertWebhook: null, sourceUrl: 'tlc' });
  });

  it('reads the mirror preset, a base URL, a template, the schema contract and the schedule window', () => {
    expect(parseConfig({ TAXI_SOURCE_URL: 'mirror' }).source.format).toBe('csv');
    expect(parseConfig({ TAXI_SOURCE_URL: 'http://127.0.0.1:9/base' }).source).toMatchObject({ format: 'csv', template: 'http://127.0.0.1:9/base/{taxi}/{taxi}_tripdata_{YYYY}-{MM}.csv.gz' });
    expect(parseConfig({ TAXI_SOURCE_URL: 'http://h/{taxi}_tripdata_{YYYY}-{MM}.parquet' }).source.format).toBe('parquet');
    expect(parseConfig({ TAXI_SCHEMA_CONTRACT: 'evolve', TAXI_SCHEDULE_WINDOW: '6' })).toMatchObject({ schemaContract: 'evolve', scheduleWindow: 6 });
    expect(() => parseConfig({ TAXI_SCHEMA_CONTRACT: 'discard_row' })).toThrow('TAXI_SCHEMA_CONTRACT must be "freeze" or "evolve"');
    expect(() => parseConfig({ TAXI_SCHEDULE_WINDOW: '0' })).toThrow('TAXI_SCHEDULE_WINDOW must be at least 1');
  });

  it('reads the source timeouts, with a two-minute deadline by default', () => {
    expect(parseConfig({}).http).toEqual({ connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, deadlineMs: 120_000 });
    expect(parseConfig({ TAXI_HTTP_CONNECT_TIMEOUT_MS: '2000', TAXI_HTTP_HEADERS_TIMEOUT_MS: '5000', TAXI_HTTP_DEADLINE_MS: '60000' }).http).toEqual({
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 5_000,
      deadlineMs: 60_000,
    });
    expect(() => parseConfig({ TAXI_HTTP_DEADLINE_MS: 'soon' })).toThrow('TAXI_HTTP_DEADLINE_MS must be a number');
    expect(parseConfig({})).toMatchObject({ leaseTtlMs: 90_000, leaseWaitMs: 300_000 });
  });
});
