/**
 * parseConfig: defaults, overrides, and one clear line for every bad value.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../functions/src/config.js';

describe('parseConfig', () => {
  it('defaults to the embedded mode and the DataTalksClub releases', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      target: 'local',
      sourceUrl: 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download',
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
    [{ TAXI_SOURCE_URL: 'file:///etc/passwd' }, 'TAXI_SOURCE_URL (--source) must be an http(s) URL, got "file:///etc/passwd"'],
    [{ TAXI_HTTP_RETRIES: '-1' }, 'TAXI_HTTP_RETRIES must be at least 0'],
    [{ TAXI_MONTH_LAG: '1.5' }, 'TAXI_MONTH_LAG must be a whole number'],
    [{ TAXI_ALERT_WEBHOOK: 'not a url' }, 'TAXI_ALERT_WEBHOOK must be an http(s) URL, got "not a url"'],
  ])('%j → %s', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ TAXI_SOURCE_URL: '', TAXI_ALERT_WEBHOOK: '' })).toMatchObject({ alertWebhook: null, sourceUrl: expect.stringMatching(/^https:/) });
  });
});
