/**
 * Every file in workflows/ is valid Cloud Workflows syntax: Google's JSON schema (ajv) and the local
 * interpreter's own checks (step names, next targets, call targets, expressions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../functions/src/local/workflows/index.js';
import { FIXTURES } from '../helpers/files.js';

const DIR = resolve(import.meta.dirname, '..', '..', 'workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const schema = JSON.parse(readFileSync(join(FIXTURES, 'cloud-workflows.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

describe('workflows/', () => {
  it('holds ingest_month.yaml, backfill.yaml and land_file.yaml', () => {
    expect(files.sort()).toEqual(['backfill.yaml', 'ingest_month.yaml', 'land_file.yaml']);
  });

  it.each(files)('%s validates against the Cloud Workflows schema', (file) => {
    const doc = YAML.parse(readFileSync(join(DIR, file), 'utf8'));
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(files)('%s passes the interpreter checks', (file) => {
    expect(() => parseWorkflow(readFileSync(join(DIR, file), 'utf8'))).not.toThrow();
  });

  it('the schema catches a broken file (the check can fail)', () => {
    const doc = YAML.parse(readFileSync(join(DIR, 'ingest_month.yaml'), 'utf8'));
    doc.main.steps[0].init.assignx = doc.main.steps[0].init.assign;
    delete doc.main.steps[0].init.assign;
    expect(validate(doc)).toBe(false);
  });

  it('every function call has an explicit timeout, OIDC auth, and retries only through the default policy', () => {
    const doc = YAML.parse(readFileSync(join(DIR, 'ingest_month.yaml'), 'utf8'));
    const calls: Record<string, unknown>[] = [];
    const retries: unknown[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.call === 'http.post') calls.push(o.args as Record<string, unknown>);
        if ('retry' in o) retries.push(o.retry);
        Object.values(o).forEach(walk);
      }
    };
    walk(doc);
    expect(calls).toHaveLength(5); // catalog, extract, stage, merge, notify
    for (const args of calls) {
      expect(args.auth).toEqual({ type: 'OIDC' });
      expect(args.timeout).toBeGreaterThan(0);
      expect(args.timeout).toBeLessThanOrEqual(1800);
      expect(String(args.url)).toMatch(/^\$\{sys\.get_env\("(CATALOG|EXTRACT|STAGE|MERGE|NOTIFY)_URL"\)\}$/);
    }
    expect(retries).toEqual(Array(4).fill('${http.default_retry}')); // catalog, extract, stage, merge
  });
});
