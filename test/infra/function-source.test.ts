import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleFunctionSource, importedSpecifiers, packageOf } from '../../infra/function-source.js';
import { fromTerraformLiteral, readWorkflowSources, terraformLiteral } from '../../infra/workflow-sources.js';
import { fakeRepo, tempTree } from './fixture.js';

describe('assembleFunctionSource', () => {
  it('packages dist/ and sql/ with a runtime-only package.json', () => {
    const pkg = assembleFunctionSource({ repoRoot: fakeRepo() });
    expect(pkg.packageJson).toEqual({
      name: 'nyc-taxi-elt-functions',
      version: '9.9.9',
      private: true,
      type: 'module',
      main: 'dist/index.js',
      engines: { node: '>=22' },
      // Reachable from dist/index.js, including the dynamic import; not commander (CLI only), not dev deps.
      dependencies: { '@google-cloud/bigquery': '^9', '@google-cloud/functions-framework': '^5', zod: '^4' },
    });
    const written = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
    expect(written).toEqual(pkg.packageJson);
    expect(written).not.toHaveProperty('scripts');
    expect(existsSync(join(pkg.dir, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(pkg.dir, 'dist/index.js.map'))).toBe(false);
    expect(existsSync(join(pkg.dir, 'sql/bigquery/00_tables.sql'))).toBe(true);
    expect(existsSync(join(pkg.dir, 'sql/duckdb/00_tables.sql'))).toBe(true);
    expect(statSync(join(pkg.dir, 'dist/index.js')).mtime.toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });

  it('refuses to package a missing build or an undeclared import', () => {
    expect(() => assembleFunctionSource({ repoRoot: tempTree({ 'package.json': '{}' }) })).toThrow(/npm run build/);
    const repo = tempTree({ 'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: {} }), 'dist/index.js': "import 'left-pad';\n", 'sql/duckdb/a.sql': '' });
    expect(() => assembleFunctionSource({ repoRoot: repo })).toThrow(/left-pad/);
  });

  it('finds static, re-exported and dynamic imports', () => {
    const code = "import a from 'a';\nimport { b } from \"@s/b/sub\";\nimport 'side';\nexport * from './r.js';\nconst c = await import('c');\n";
    expect(importedSpecifiers(code)).toEqual(['./r.js', '@s/b/sub', 'a', 'c', 'side']);
    expect(packageOf('@s/b/sub')).toBe('@s/b');
    expect(packageOf('a/x')).toBe('a');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('./r.js')).toBeUndefined();
  });
});

describe('workflow sources', () => {
  it('reads every yaml file of a folder, sorted, and nothing when the folder is absent', () => {
    const dir = tempTree({ 'b.yaml': 'b', 'a.yml': 'a', 'notes.md': 'x' });
    expect(readWorkflowSources(dir).map((w) => [w.name, w.contents])).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
    expect(readWorkflowSources(join(dir, 'missing'))).toEqual([]);
  });

  it('escapes Terraform template sequences and round-trips', () => {
    const text = 'url: ${sys.get_env("X")}\nlit: "%{y}" $5 $$ {z}\n';
    const escaped = terraformLiteral(text);
    expect(escaped).toBe('url: $${sys.get_env("X")}\nlit: "%%{y}" $5 $$ {z}\n');
    expect(fromTerraformLiteral(escaped)).toBe(text);
  });
});
