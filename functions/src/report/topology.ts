/**
 * The topology of a workflow file, as Kestra's topology view shows a flow: each subworkflow's steps in
 * order, nested blocks (try, switch, for, parallel) inside their step, and what each call calls. Read from
 * the YAML in `workflows/` itself, so the picture is of the very file Cloud Workflows runs.
 */
import { parse } from 'yaml';

/** One step of the picture. */
export interface TopologyStep {
  name: string;
  /** call, assign, switch, try, for, parallel, return, raise, steps, next */
  kind: string;
  /** For a call: its target (`http.post → EXTRACT_URL`, a subworkflow, a connector). */
  target?: string;
  children: TopologyStep[];
}

/** A subworkflow and its steps. */
export interface TopologyBlock {
  name: string;
  params: string[];
  steps: TopologyStep[];
}

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function callTarget(body: Raw): string {
  const call = String(body.call);
  const args = isMap(body.args) ? body.args : {};
  const url = typeof args.url === 'string' ? /get_env\("(\w+)"\)/.exec(args.url)?.[1] ?? args.url : undefined;
  if (call === 'googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run') return 'child execution → ingest_month';
  return url ? `${call} → ${url}` : call;
}

function steps(list: unknown): TopologyStep[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    if (!isMap(item)) return [];
    return Object.entries(item).map(([name, body]) => step(name, isMap(body) ? body : {}));
  });
}

function step(name: string, body: Raw): TopologyStep {
  if ('call' in body) return { name, kind: 'call', target: callTarget(body), children: [] };
  if ('try' in body) {
    const t = isMap(body.try) ? body.try : {};
    const inner = 'steps' in t ? steps(t.steps) : [step(name, t)];
    const except = isMap(body.except) ? steps(body.except.steps) : [];
    return { name, kind: 'try', children: [...inner, ...(except.length ? [{ name: 'except', kind: 'except', children: except }] : [])] };
  }
  if ('switch' in body && Array.isArray(body.switch)) {
    const children = body.switch.flatMap((c: unknown, i: number) => {
      if (!isMap(c)) return [];
      const nested = 'steps' in c ? steps(c.steps) : [];
      const what = 'raise' in c ? 'raise' : 'return' in c ? 'return' : 'next' in c ? `next: ${String(c.next)}` : 'assign' in c ? 'assign' : '';
      return [{ name: `condition ${i + 1}${what ? `: ${what}` : ''}`, kind: 'condition', children: nested }];
    });
    return { name, kind: 'switch', children };
  }
  if ('for' in body && isMap(body.for)) return { name, kind: 'for', children: steps(body.for.steps) };
  if ('parallel' in body && isMap(body.parallel)) {
    const p = body.parallel;
    const children = isMap(p.for) ? steps(p.for.steps) : Array.isArray(p.branches) ? steps(p.branches) : [];
    return { name, kind: 'parallel', children };
  }
  if ('steps' in body) return { name, kind: 'steps', children: steps(body.steps) };
  for (const kind of ['return', 'raise', 'assign', 'next']) if (kind in body) return { name, kind, children: [] };
  return { name, kind: 'step', children: [] };
}

/** The subworkflows of a workflow file's text, `main` first. */
export function topologyOf(yamlText: string): TopologyBlock[] {
  const doc = parse(yamlText) as unknown;
  if (Array.isArray(doc)) return [{ name: 'main', params: [], steps: steps(doc) }];
  if (!isMap(doc)) return [];
  return Object.entries(doc).map(([name, sub]) => {
    const s = isMap(sub) ? sub : {};
    const params = Array.isArray(s.params) ? s.params.map((p) => (isMap(p) ? Object.keys(p)[0]! : String(p))) : [];
    return { name, params, steps: steps(s.steps) };
  });
}
