/**
 * SQL templates: files under `sql/<dialect>/` with `{{name}}` slots for identifiers and generated
 * fragments. Values never go through slots: they stay query parameters (`$name` in DuckDB, `@name` in
 * BigQuery), so a slot can only ever receive text this code generated from validated enums and config.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type { PlannedStatement } from '../../ports/warehouse.js';

function findSqlRoot(): string {
  // Walk up from this module: the same code runs from functions/src (tsx) and from dist/ (deployed).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'sql');
    if (existsSync(join(candidate, 'duckdb'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the sql/ template folder next to the code');
    dir = parent;
  }
}

/**
 * The steps every warehouse runs, in order, each one template `NN_<step>.sql` with the same name in
 * every dialect folder: stage runs the first three, merge the last two.
 */
export const STAGE_STEPS = ['tables', 'external', 'stage'] as const;
export const MERGE_STEPS = ['merge', 'quarantine'] as const;
export const TEMPLATE_FILES: Record<string, string> = {
  tables: '00_tables',
  external: '01_external',
  stage: '02_stage',
  merge: '03_merge',
  quarantine: '04_quarantine',
  zones: '06_zones',
  trips: '07_trips',
  descriptions: '08_descriptions',
};

/** The catalog's steps (the zone table, then the trips view over the main tables), run by `refreshCatalog`. */
export const CATALOG_STEPS = ['zones', 'trips'] as const;

let root: string | undefined;
const cache = new Map<string, string>();

/** Folder holding the dialect folders. */
export function sqlRoot(): string {
  return (root ??= findSqlRoot());
}

/** Template file names of a dialect, sorted: `01_external.sql`, ... */
export function templateNames(dialect: string): string[] {
  return readdirSync(join(sqlRoot(), dialect))
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Raw text of a template. */
export function loadTemplate(dialect: string, name: string): string {
  const key = `${dialect}/${name}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(join(sqlRoot(), dialect, `${name}.sql`), 'utf8');
    cache.set(key, text);
  }
  return text;
}

/**
 * Fill `{{slot}}`s. Every slot in the template must be given and every given slot must be used, so
 * a renamed slot fails loudly instead of leaving `{{x}}` in a statement.
 */
export function renderTemplate(template: string, slots: Record<string, string>): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`SQL template slot {{${name}}} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(slots).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`SQL template does not use slot(s) ${unused.join(', ')}`);
  return out;
}

/**
 * The statements of one step's template in `dialect`, rendered with those of `slots` it uses: a caller
 * passes every slot it knows for a job, each template takes its own.
 */
export function renderStep(dialect: string, step: string, slots: Record<string, string>): string[] {
  const template = loadTemplate(dialect, TEMPLATE_FILES[step]!);
  return splitStatements(renderTemplate(template, Object.fromEntries(Object.entries(slots).filter(([k]) => template.includes(`{{${k}}}`)))));
}

/**
 * Split a rendered template into statements on `;` at the end of a line that is not a comment (a
 * comment may end with one), dropping comment-only chunks.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (!/^\s*--/.test(line) && /;\s*$/.test(line)) {
      current.push(line.replace(/;\s*$/, ''));
      out.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  out.push(current.join('\n'));
  return out.map((s) => s.trim()).filter((s) => s.replace(/--.*$/gm, '').trim().length > 0);
}

/** The value of a statement's marker line `-- <key>: <value>` (`name`, `format`), if it has one. */
export function marker(sql: string, key: 'name' | 'format'): string | undefined {
  return new RegExp(`^-- ${key}: (\\w+)$`, 'm').exec(sql)?.[1];
}

/**
 * The statements meant for a file format: a statement marked `-- format: <name>` runs only for files of
 * that format; unmarked statements run for every format.
 */
export function forFormat(statements: string[], format: string): string[] {
  return statements.filter((sql) => {
    const marked = marker(sql, 'format');
    return marked === undefined || marked === format;
  });
}
