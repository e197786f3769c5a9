/**
 * YAML → typed workflow AST, with the structural checks Cloud Workflows does at
 * deployment time (unknown keys, invalid `next` targets, duplicate step names,
 * malformed `for`/`parallel`/`try`...). Errors are {@link WorkflowDefinitionError}s
 * naming the step.
 */
import { isAlias, isMap as isYamlMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { WorkflowDefinitionError } from './errors.js';
import { expressionBody, parseExpression, type Expr } from './expressions.js';
import { isMap, newMap, typeName, type Value } from './values.js';

/** A parsed workflow: `main` plus named subworkflows. */
export interface Workflow {
  main: Subworkflow;
  subworkflows: Map<string, Subworkflow>;
}

export interface Subworkflow {
  name: string;
  params: Param[];
  steps: Step[];
}

export interface Param {
  name: string;
  /** Present when the parameter was declared as `- name: default`. */
  default?: Value;
  hasDefault: boolean;
}

/** An assignment target such as `a`, `a.b`, `a[0]`, `a["k"].c`. */
export interface AssignTarget {
  root: string;
  /** Keys after the root: literal names for `.b`, expressions for `[..]`. */
  path: ({ kind: 'name'; name: string } | { kind: 'index'; expr: Expr })[];
  source: string;
}

export interface Assignment {
  target: AssignTarget;
  /** Raw YAML value; `${}` strings inside are evaluated at run time. */
  value: Value;
}

export interface ForLoop {
  value: string;
  index?: string;
  in?: Value;
  range?: Value;
  steps: Step[];
}

export interface Condition {
  condition: Value;
  next?: string;
  /** Embedded step body (`steps`, `assign`, `call`, `return`, `raise`, ...). */
  body?: Step;
}

export interface RetrySpec {
  /** `${http.default_retry}` style expression, or the literal policy map. */
  raw: Value;
}

interface Base {
  name: string;
  next?: string;
}

/** One workflow step. `kind` tells which construct it is. */
export type Step =
  | (Base & { kind: 'assign'; assignments: Assignment[] })
  | (Base & { kind: 'call'; call: string; args?: Value; result?: string })
  | (Base & { kind: 'switch'; conditions: Condition[] })
  | (Base & { kind: 'for'; loop: ForLoop })
  | (Base & {
      kind: 'parallel';
      shared: string[];
      concurrencyLimit?: Value;
      continueAll: boolean;
      branches?: { name: string; steps: Step[] }[];
      loop?: ForLoop;
    })
  | (Base & { kind: 'try'; body: Step[]; retry?: RetrySpec; except?: { as?: string; steps: Step[] } })
  | (Base & { kind: 'raise'; value: Value })
  | (Base & { kind: 'return'; value: Value })
  | (Base & { kind: 'steps'; steps: Step[] })
  | (Base & { kind: 'jump'; next: string });

const STEP_KEYS = new Set(['assign', 'call', 'args', 'result', 'next', 'switch', 'for', 'parallel', 'raise', 'try', 'retry', 'except', 'return', 'steps']);
const PRIMARY = ['assign', 'call', 'switch', 'for', 'parallel', 'raise', 'try', 'return', 'steps'] as const;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Converts the YAML document into runtime values; integers become bigint. */
function yamlToValue(node: unknown, doc: Document, src: string): Value {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return yamlToValue(node.resolve(doc), doc, src);
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') {
      const text = node.range ? src.slice(node.range[0], node.range[1]).trim() : String(v);
      // The yaml package yields JS numbers; recover int vs double from the source text.
      if (/^[-+]?[0-9]+$/.test(text)) return BigInt(text);
      if (/^[-+]?0x[0-9a-fA-F]+$/.test(text)) return BigInt(text.replace('+', ''));
      if (/^0o[0-7]+$/.test(text)) return BigInt(text);
      return v;
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v;
    throw new WorkflowDefinitionError(`unsupported YAML scalar ${String(v)}`);
  }
  if (isSeq(node)) return node.items.map((i) => yamlToValue(i, doc, src));
  if (isYamlMap(node)) {
    const m = newMap();
    for (const pair of node.items) {
      const k = yamlToValue(pair.key, doc, src);
      const key = typeof k === 'string' ? k : typeof k === 'bigint' || typeof k === 'number' || typeof k === 'boolean' ? String(k) : undefined;
      if (key === undefined) throw new WorkflowDefinitionError('map keys must be scalars');
      m[key] = yamlToValue(pair.value, doc, src);
    }
    return m;
  }
  throw new WorkflowDefinitionError(`unsupported YAML node ${String((node as Node).toString?.())}`);
}

/** Parses YAML source into runtime values (exported for tests and tooling). */
export function parseYamlValue(source: string): Value {
  const doc = parseDocument(source, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    // Only the first error: the yaml package reports every follow-on token too.
    throw new WorkflowDefinitionError(`invalid YAML: ${(doc.errors[0] as Error).message}`);
  }
  return yamlToValue(doc.contents, doc, source);
}

/** Parses and validates a workflow definition. */
export function parseWorkflow(source: string): Workflow {
  const root = parseYamlValue(source);
  checkExpressions(root, undefined);
  const subworkflows = new Map<string, Subworkflow>();
  if (Array.isArray(root)) {
    subworkflows.set('main', { name: 'main', params: [], steps: parseSteps(root, 'main') });
  } else if (isMap(root)) {
    if (!('main' in root)) throw new WorkflowDefinitionError('workflow must define a "main" workflow (or be a list of steps)');
    for (const [name, def] of Object.entries(root)) {
      if (!IDENT.test(name)) throw new WorkflowDefinitionError(`invalid subworkflow name "${name}"`);
      subworkflows.set(name, parseSubworkflow(name, def));
    }
    const main = subworkflows.get('main') as Subworkflow;
    if (main.params.length > 1) throw new WorkflowDefinitionError('main workflow takes at most one parameter (the runtime arguments)');
    if (main.params[0]?.hasDefault) throw new WorkflowDefinitionError('main workflow parameter cannot have a default value');
  } else {
    throw new WorkflowDefinitionError(`workflow must be a map of subworkflows or a list of steps, got ${typeName(root)}`);
  }
  const wf: Workflow = { main: subworkflows.get('main') as Subworkflow, subworkflows };
  for (const sub of subworkflows.values()) validateSubworkflow(sub);
  return wf;
}

/**
 * Parses every `${...}` string up front so that syntax errors surface before the
 * run starts (as at deployment), naming the enclosing step.
 */
function checkExpressions(v: Value, step: string | undefined): void {
  if (typeof v === 'string') {
    const body = expressionBody(v);
    if (body === undefined) return;
    try {
      parseExpression(body);
    } catch (e) {
      throw new WorkflowDefinitionError((e as Error).message, step);
    }
  } else if (Array.isArray(v)) {
    for (const item of v) {
      // A list item with a single key whose value is a map is a step: remember its name.
      const entries = isMap(item) ? Object.entries(item) : [];
      const [only] = entries;
      if (entries.length === 1 && only && isMap(only[1])) checkExpressions(only[1], only[0]);
      else checkExpressions(item, step);
    }
  } else if (isMap(v)) {
    for (const x of Object.values(v)) checkExpressions(x, step);
  }
}

function parseSubworkflow(name: string, def: Value): Subworkflow {
  if (!isMap(def)) throw new WorkflowDefinitionError(`subworkflow "${name}" must be a map with "steps"`);
  for (const k of Object.keys(def)) {
    if (k !== 'params' && k !== 'steps') throw new WorkflowDefinitionError(`unknown key "${k}" in subworkflow "${name}"`);
  }
  const params: Param[] = [];
  const rawParams = def.params ?? [];
  if (!Array.isArray(rawParams)) throw new WorkflowDefinitionError(`params of subworkflow "${name}" must be a list`);
  for (const p of rawParams) {
    if (typeof p === 'string') params.push({ name: p, hasDefault: false });
    else if (isMap(p) && Object.keys(p).length === 1) {
      const [pn, dv] = Object.entries(p)[0] as [string, Value];
      params.push({ name: pn, default: dv, hasDefault: true });
    } else throw new WorkflowDefinitionError(`invalid parameter in subworkflow "${name}": expected a name or {name: default}`);
  }
  const seen = new Set<string>();
  for (const p of params) {
    if (!IDENT.test(p.name)) throw new WorkflowDefinitionError(`invalid parameter name "${p.name}" in subworkflow "${name}"`);
    if (seen.has(p.name)) throw new WorkflowDefinitionError(`duplicate parameter "${p.name}" in subworkflow "${name}"`);
    seen.add(p.name);
  }
  if (!Array.isArray(def.steps)) throw new WorkflowDefinitionError(`subworkflow "${name}" must have a list of "steps"`);
  return { name, params, steps: parseSteps(def.steps, name) };
}

function parseSteps(raw: Value, where: string): Step[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new WorkflowDefinitionError(`"steps" in ${where} must be a non-empty list`);
  return raw.map((item) => {
    if (!isMap(item) || Object.keys(item).length !== 1) {
      throw new WorkflowDefinitionError(`each step in ${where} must be a map with exactly one key (the step name)`);
    }
    const [name, body] = Object.entries(item)[0] as [string, Value];
    return parseStep(name, body);
  });
}

function fail(step: string, msg: string): never {
  throw new WorkflowDefinitionError(msg, step);
}

function str(step: string, key: string, v: Value): string {
  if (typeof v !== 'string') fail(step, `"${key}" must be a string, got ${typeName(v)}`);
  return v;
}

function ident(step: string, key: string, v: Value): string {
  const s = str(step, key, v);
  if (!IDENT.test(s)) fail(step, `"${key}" must be a variable name, got "${s}"`);
  return s;
}

/** Parses one step body (also used for switch-condition bodies and `try` bodies). */
export function parseStep(name: string, body: Value, allowEmpty = false): Step {
  if (!isMap(body)) fail(name, `step body must be a map, got ${typeName(body)}`);
  for (const k of Object.keys(body)) {
    if (!STEP_KEYS.has(k)) fail(name, `unsupported or unknown key "${k}"`);
  }
  const primaries = PRIMARY.filter((k) => k in body);
  if (primaries.length > 1) fail(name, `a step can only have one of ${primaries.join(', ')}`);
  const kind = primaries[0];
  const next = 'next' in body ? str(name, 'next', body.next as Value) : undefined;
  if (('args' in body || 'result' in body) && kind !== 'call') fail(name, '"args"/"result" require "call"');
  if (('retry' in body || 'except' in body) && kind !== 'try') fail(name, '"retry"/"except" require "try"');
  if ((kind === 'raise' || kind === 'return') && next !== undefined) fail(name, `"next" cannot be combined with "${kind}"`);
  const base = next === undefined ? { name } : { name, next };
  switch (kind) {
    case undefined:
      if (next === undefined) {
        if (allowEmpty) return { kind: 'steps', name, steps: [] };
        fail(name, 'empty step');
      }
      return { kind: 'jump', name, next };
    case 'assign':
      return { ...base, kind: 'assign', assignments: parseAssign(name, body.assign as Value) };
    case 'call': {
      const call = str(name, 'call', body.call as Value);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(call)) fail(name, `invalid call target "${call}"`);
      const step: Step = { ...base, kind: 'call', call };
      if ('args' in body) {
        if (!isMap(body.args)) fail(name, '"args" must be a map');
        step.args = body.args;
      }
      if ('result' in body) step.result = ident(name, 'result', body.result as Value);
      return step;
    }
    case 'switch': {
      const sw = body.switch;
      if (!Array.isArray(sw) || sw.length === 0) fail(name, '"switch" must be a non-empty list of conditions');
      const conditions = sw.map((c, i): Condition => {
        if (!isMap(c) || !('condition' in c)) fail(name, `switch entry ${i} must be a map with "condition"`);
        const rest = newMap(Object.entries(c).filter(([k]) => k !== 'condition' && k !== 'next'));
        const cond: Condition = { condition: c.condition as Value };
        if ('next' in c) cond.next = str(name, 'next', c.next as Value);
        if (Object.keys(rest).length > 0) cond.body = parseStep(name, rest);
        if (cond.body && (cond.body.kind === 'raise' || cond.body.kind === 'return') && cond.next !== undefined) {
          fail(name, `"next" cannot be combined with "${cond.body.kind}" in a switch condition`);
        }
        return cond;
      });
      return { ...base, kind: 'switch', conditions };
    }
    case 'for':
      return { ...base, kind: 'for', loop: parseFor(name, body.for as Value) };
    case 'parallel': {
      const p = body.parallel;
      if (!isMap(p)) fail(name, '"parallel" must be a map');
      for (const k of Object.keys(p)) {
        if (!['exception_policy', 'shared', 'concurrency_limit', 'branches', 'for'].includes(k)) fail(name, `unknown key "${k}" in parallel`);
      }
      if (('branches' in p) === ('for' in p)) fail(name, 'parallel needs exactly one of "branches" or "for"');
      const shared = p.shared ?? [];
      if (!Array.isArray(shared)) fail(name, '"shared" must be a list of variable names');
      const step: Step = {
        ...base,
        kind: 'parallel',
        shared: shared.map((s) => ident(name, 'shared', s)),
        // Cloud Workflows' default and only policy: the other branches run to their end, then the
        // step raises. Written out or not, it is the same.
        continueAll: true,
      };
      if ('exception_policy' in p && p.exception_policy !== 'continueAll') {
        fail(name, `unsupported exception_policy ${JSON.stringify(p.exception_policy)} (only "continueAll")`);
      }
      if ('concurrency_limit' in p) step.concurrencyLimit = p.concurrency_limit as Value;
      if ('for' in p) step.loop = parseFor(name, p.for as Value);
      else {
        const br = p.branches;
        if (!Array.isArray(br) || br.length < 1) fail(name, '"branches" must be a non-empty list');
        step.branches = br.map((b) => {
          if (!isMap(b) || Object.keys(b).length !== 1) fail(name, 'each branch must be a map with exactly one key (the branch name)');
          const [bn, bb] = Object.entries(b)[0] as [string, Value];
          if (!isMap(bb) || !Array.isArray(bb.steps) || Object.keys(bb).length !== 1) fail(bn, 'a parallel branch must contain only "steps"');
          return { name: bn, steps: parseSteps(bb.steps, `branch "${bn}"`) };
        });
      }
      return step;
    }
    case 'try': {
      const t = body.try as Value;
      let tryBody: Step[];
      if (Array.isArray(t)) tryBody = parseSteps(t, `try of step "${name}"`);
      else if (isMap(t) && Object.keys(t).length === 1 && Array.isArray(t.steps)) tryBody = parseSteps(t.steps, `try of step "${name}"`);
      else tryBody = [parseStep(name, t)];
      const step: Step = { ...base, kind: 'try', body: tryBody };
      if ('retry' in body) {
        const r = body.retry as Value;
        if (typeof r === 'string') {
          if (expressionBody(r) === undefined) fail(name, '"retry" must be a ${...} expression or a retry policy map');
        } else if (isMap(r)) {
          for (const k of Object.keys(r)) {
            if (!['predicate', 'max_retries', 'backoff'].includes(k)) fail(name, `unknown key "${k}" in retry`);
          }
          if (!('predicate' in r)) fail(name, 'retry policy needs a "predicate"');
          if (r.backoff !== undefined) {
            if (!isMap(r.backoff)) fail(name, '"backoff" must be a map');
            for (const k of Object.keys(r.backoff)) {
              if (!['initial_delay', 'max_delay', 'multiplier'].includes(k)) fail(name, `unknown key "${k}" in backoff`);
            }
          }
        } else fail(name, '"retry" must be an expression or a map');
        step.retry = { raw: r };
      }
      if ('except' in body) {
        const ex = body.except;
        if (!isMap(ex)) fail(name, '"except" must be a map');
        for (const k of Object.keys(ex)) if (k !== 'as' && k !== 'steps') fail(name, `unknown key "${k}" in except`);
        step.except = { steps: parseSteps(ex.steps as Value, `except of step "${name}"`) };
        if ('as' in ex) step.except.as = ident(name, 'as', ex.as as Value);
      }
      if (!step.retry && !step.except) fail(name, '"try" needs "retry" and/or "except"');
      return step;
    }
    case 'raise':
      return { name, kind: 'raise', value: body.raise as Value };
    case 'return':
      return { name, kind: 'return', value: body.return as Value };
    case 'steps':
      return { ...base, kind: 'steps', steps: parseSteps(body.steps as Value, `step "${name}"`) };
  }
  return fail(name, 'unrecognised step');
}

function parseAssign(step: string, raw: Value): Assignment[] {
  if (!Array.isArray(raw) || raw.length === 0) fail(step, '"assign" must be a non-empty list of {target: value}');
  if (raw.length > 50) fail(step, '"assign" allows at most 50 assignments');
  return raw.map((a) => {
    if (!isMap(a) || Object.keys(a).length !== 1) fail(step, 'each assignment must be a map with exactly one key');
    const [target, value] = Object.entries(a)[0] as [string, Value];
    return { target: parseTarget(step, target), value };
  });
}

/** Parses an assignment target (`a`, `a.b`, `a[i]["k"]`) with the expression parser. */
export function parseTarget(step: string, source: string): AssignTarget {
  let e: Expr;
  try {
    e = parseExpression(source);
  } catch (err) {
    fail(step, `invalid assignment target "${source}": ${(err as Error).message}`);
  }
  const path: AssignTarget['path'] = [];
  for (;;) {
    if (e.t === 'var') {
      path.reverse();
      return { root: e.name, path, source };
    }
    if (e.t === 'member') {
      path.push({ kind: 'name', name: e.name });
      e = e.obj;
    } else if (e.t === 'index') {
      path.push({ kind: 'index', expr: e.index });
      e = e.obj;
    } else fail(step, `invalid assignment target "${source}"`);
  }
}

function parseFor(step: string, raw: Value): ForLoop {
  if (!isMap(raw)) fail(step, '"for" must be a map');
  for (const k of Object.keys(raw)) {
    if (!['value', 'index', 'in', 'range', 'steps'].includes(k)) fail(step, `unknown key "${k}" in for`);
  }
  if (('in' in raw) === ('range' in raw)) fail(step, 'for needs exactly one of "in" or "range"');
  const loop: ForLoop = { value: ident(step, 'value', raw.value ?? null), steps: parseSteps(raw.steps ?? null, `for loop of step "${step}"`) };
  if ('index' in raw) loop.index = ident(step, 'index', raw.index as Value);
  if ('in' in raw) {
    const v = raw.in as Value;
    if (!Array.isArray(v) && !(typeof v === 'string' && expressionBody(v) !== undefined)) fail(step, '"in" must be a list or a ${...} expression');
    loop.in = v;
  } else {
    const r = raw.range as Value;
    if (!(Array.isArray(r) && r.length === 2) && !(typeof r === 'string' && expressionBody(r) !== undefined)) {
      fail(step, '"range" must be a two-element list [start, end] or an expression');
    }
    loop.range = r;
  }
  return loop;
}

/* ---------------- static validation ---------------- */

interface Scope {
  /** Step names visible for `next` at this level and its enclosing levels (same loop body). */
  names: Set<string>[];
  loop: 'none' | 'for' | 'parallel-for' | 'branch';
}

function validateSubworkflow(sub: Subworkflow): void {
  const all = new Set<string>();
  const collect = (steps: Step[]) => {
    for (const s of steps) {
      if (all.has(s.name)) fail(s.name, `duplicate step name in subworkflow "${sub.name}"`);
      all.add(s.name);
      forEachChildList(s, collect);
    }
  };
  collect(sub.steps);
  validateList(sub.steps, { names: [], loop: 'none' });
}

function forEachChildList(s: Step, fn: (steps: Step[]) => void): void {
  switch (s.kind) {
    case 'steps':
      fn(s.steps);
      break;
    case 'for':
      fn(s.loop.steps);
      break;
    case 'parallel':
      if (s.loop) fn(s.loop.steps);
      for (const b of s.branches ?? []) fn(b.steps);
      break;
    case 'try':
      fn(s.body.filter((b) => b.name !== s.name));
      for (const b of s.body.filter((x) => x.name === s.name)) forEachChildList(b, fn);
      if (s.except) fn(s.except.steps);
      break;
    case 'switch':
      for (const c of s.conditions) if (c.body) forEachChildList(c.body, fn);
      break;
    default:
  }
}

function checkNext(step: string, target: string, scope: Scope): void {
  if (target === 'end') return;
  if (target === 'break' || target === 'continue') {
    if (scope.loop === 'for') return;
    if (scope.loop === 'parallel-for') {
      if (target === 'continue') return;
      fail(step, '"next: break" is not supported inside a parallel for loop');
    }
    fail(step, `"next: ${target}" is only allowed inside a for loop`);
  }
  if (!scope.names.some((n) => n.has(target))) {
    fail(step, `"next" target "${target}" is not a step reachable from here (jumps into nested steps or out of loops/branches are not allowed)`);
  }
}

function validateList(steps: Step[], outer: Scope): void {
  const scope: Scope = { names: [...outer.names, new Set(steps.map((s) => s.name))], loop: outer.loop };
  for (const s of steps) validateStep(s, scope);
}

function validateStep(s: Step, scope: Scope): void {
  if (s.next !== undefined) checkNext(s.name, s.next, scope);
  switch (s.kind) {
    case 'steps':
      validateList(s.steps, scope);
      break;
    case 'for':
      validateList(s.loop.steps, { names: [], loop: 'for' });
      break;
    case 'parallel':
      if (s.loop) validateList(s.loop.steps, { names: [], loop: 'parallel-for' });
      for (const b of s.branches ?? []) validateList(b.steps, { names: [], loop: 'branch' });
      break;
    case 'try':
      if (s.body.length === 1 && s.body[0]?.name === s.name) validateStep(s.body[0], scope);
      else validateList(s.body, scope);
      if (s.except) validateList(s.except.steps, scope);
      break;
    case 'switch':
      for (const c of s.conditions) {
        if (c.next !== undefined) checkNext(s.name, c.next, scope);
        if (c.body) validateStep(c.body, scope);
      }
      break;
    default:
  }
}

/** All `call:` targets and expression function names used (for up-front checks). */
export function collectCalls(wf: Workflow): { step: string; name: string }[] {
  const out: { step: string; name: string }[] = [];
  const visit = (s: Step) => {
    if (s.kind === 'call') out.push({ step: s.name, name: s.call });
    if (s.kind === 'switch') for (const c of s.conditions) if (c.body) visit(c.body);
    if (s.kind === 'try' && s.body.length === 1 && s.body[0]?.name === s.name) visit(s.body[0]);
    forEachChildList(s, (l) => l.forEach(visit));
  };
  for (const sub of wf.subworkflows.values()) sub.steps.forEach(visit);
  return out;
}
