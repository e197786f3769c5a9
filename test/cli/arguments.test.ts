/**
 * The CLI as a user runs it: bad arguments exit 2 with one line and no stack trace; help everywhere.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const tmp = tempDir();

const BAD: [string, string[], RegExp][] = [
  ['month 13', ['run', '--taxi', 'green', '--month', '2020-13'], /--month: month must be YYYY-MM with a month 01-12, got "2020-13"/],
  ['two-digit year', ['run', '--taxi', 'green', '--month', '20-10'], /--month: month must be YYYY-MM/],
  ['unknown taxi', ['run', '--taxi', 'purple', '--month', '2020-10'], /--taxi: taxi must be "yellow", "green", "fhv" or "fhvhv", got "purple"/],
  ['SQL in the taxi', ['run', '--taxi', "green'; DROP TABLE green_tripdata; --", '--month', '2020-10'], /--taxi: taxi must be "yellow", "green", "fhv" or "fhvhv"/],
  ['SQL in the month', ['run', '--taxi', 'green', '--month', "2020-10' OR '1'='1"], /--month: month must be YYYY-MM/],
  ['path in the month', ['run', '--taxi', 'green', '--month', '../../etc'], /--month: month must be YYYY-MM/],
  ['year before the TLC', ['run', '--taxi', 'green', '--month', '1999-01'], /outside the years the TLC publishes/],
  ['missing taxi', ['run', '--month', '2020-10'], /required option '--taxi <taxi>' not specified/],
  ['unknown option', ['run', '--taxi', 'green', '--month', '2020-10', '--colour'], /unknown option '--colour'/],
  ['unknown command', ['lunch'], /unknown command 'lunch'/],
  ['bad source URL', ['run', '--taxi', 'green', '--month', '2020-10', '--source', 'ftp://x'], /TAXI_SOURCE_URL \(--source\) must be "tlc" or "mirror", an http\(s\) URL template/],
  ['shell in the source', ['run', '--taxi', 'green', '--month', '2020-10', '--source', 'http://x/$(rm -rf ~)'], /must be "tlc" or "mirror", an http\(s\) URL/],
  ['plan target', ['plan', '--target', 'oracle', '--taxi', 'green', '--month', '2020-10'], /--target must be duckdb or bigquery/],
  ['plan bigquery without project', ['plan', '--target', 'bigquery', '--taxi', 'green', '--month', '2020-10', '--dataset', 'd'], /--project must be a GCP project id/],
  ['plan bigquery with a dataset injection', ['plan', '--target', 'bigquery', '--taxi', 'green', '--month', '2020-10', '--project', 'my-project', '--dataset', 'x`; DROP'], /--dataset must be a BigQuery dataset name/],
];

describe('bad arguments', () => {
  it.each(BAD)('%s → exit 2, one line, no stack trace', async (_name, args, message) => {
    const r = await cli([...args, '--data-dir', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\s+at\s+\S+\s+\(|node:internal|\.ts:\d+/);
  });

  it('a bad environment variable is also one line, exit 2', async () => {
    const r = await cli(['run', '--taxi', 'green', '--month', '2020-10'], { TAXI_HTTP_RETRIES: 'many' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: TAXI_HTTP_RETRIES must be a number');
  });

  it('query on a missing warehouse says what to do', async () => {
    const r = await cli(['query', 'SELECT 1', '--data-dir', `${tmp.dir}/none`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no warehouse at .*: load a month first \(taxi-elt run\)\n$/);
  });
});

describe('help', () => {
  it.each(['run', 'query', 'plan', 'demo'])('%s --help exits 0 and documents its options', async (cmd) => {
    const r = await cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: taxi-elt ${cmd}`));
    expect(r.stdout).toMatch(/--help/);
  });

  it('top-level help lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['run', 'query', 'plan', 'demo']) expect(r.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
  });
});
