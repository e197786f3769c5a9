/**
 * The Cloud Workflows standard library, as far as it is available locally.
 *
 * Every function declares its parameter names so it can be used both from
 * expressions (positional: `${text.split(s, ",")}`) and from `call:` steps
 * (named: `args: {source: ..., separator: ...}`), like in Cloud Workflows.
 */
import { randomUUID } from 'node:crypto';
import { errorMap, raise, Raised } from './errors.js';
import { binary } from './expressions.js';
import { FunctionRef, isMap, isNumber, newMap, toJs, typeName, WfBytes, type Value, type WfMap } from './values.js';

/** Minimal fetch signature used for `http.*` calls (the global `fetch` fits). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Log entry passed to the `log` hook by `sys.log`. */
export interface LogEntry {
  severity: string;
  /** `text`, `json` or `data` argument of `sys.log`, converted to plain JS. */
  message: unknown;
}

/** Services the standard library needs from the host. */
export interface StdContext {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
  log(entry: LogEntry): void;
  env: Record<string, string>;
  fetch: FetchLike;
}

/** A standard-library function. */
export interface StdFunction {
  params: string[];
  /** Number of leading parameters that are required. */
  required: number;
  fn: (args: (Value | undefined)[], ctx: StdContext) => Value | Promise<Value>;
}

const fns = new Map<string, StdFunction>();

function def(name: string, params: string[], required: number, fn: StdFunction['fn']): void {
  fns.set(name, { params, required, fn });
}

/* ---------------- argument helpers ---------------- */

function want<T extends Value>(fn: string, param: string, v: Value | undefined, check: (x: Value) => x is T, type: string): T {
  if (v === undefined || !check(v)) {
    throw raise('TypeError', `${fn}: argument '${param}' must be ${type}, got ${v === undefined ? 'nothing' : typeName(v)}`);
  }
  return v;
}
const isStr = (x: Value): x is string => typeof x === 'string';
const isNum = (x: Value): x is bigint | number => isNumber(x);
const isList = (x: Value): x is Value[] => Array.isArray(x);
const isMapV = (x: Value): x is WfMap => isMap(x);
const isInt = (x: Value): x is bigint => typeof x === 'bigint';

const codePoints = (s: string): string[] => Array.from(s);

/** RE2-ish pattern → JS RegExp (leading `(?i)`/`(?s)`/`(?m)` flags are translated). */
function toRegExp(fn: string, pattern: string, global = false): RegExp {
  let flags = 'u' + (global ? 'g' : '');
  let p = pattern;
  const m = /^\(\?([ims]+)\)/.exec(p);
  if (m) {
    flags += m[1];
    p = p.slice(m[0].length);
  }
  try {
    return new RegExp(p, flags);
  } catch (e) {
    throw raise('ValueError', `${fn}: invalid regular expression: ${(e as Error).message}`);
  }
}

/* ---------------- JSON ---------------- */

/** JSON encoding that keeps int/double apart (`2` vs `2.5`) and rejects NaN. */
export function jsonEncode(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw raise('ValueError', `cannot JSON-encode ${v}`);
    return JSON.stringify(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof WfBytes) return JSON.stringify(Buffer.from(v.data).toString('base64'));
  if (v instanceof FunctionRef) throw raise('TypeError', `cannot JSON-encode function ${v.name}`);
  if (Array.isArray(v)) return `[${v.map(jsonEncode).join(',')}]`;
  return `{${Object.keys(v)
    .map((k) => `${JSON.stringify(k)}:${jsonEncode(v[k] as Value)}`)
    .join(',')}}`;
}

/**
 * JSON decoding into runtime values: integers (even beyond 2^53) become int,
 * numbers with a fraction/exponent become double, thanks to the reviver's
 * access to the source text.
 */
export function jsonDecode(text: string): Value {
  const reviver = (_k: string, v: unknown, ctx?: { source?: string }): unknown => {
    if (typeof v === 'number') {
      const src = ctx?.source ?? String(v);
      return /^-?[0-9]+$/.test(src) ? BigInt(src) : v;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return newMap(Object.entries(v as Record<string, Value>));
    return v;
  };
  try {
    return JSON.parse(text, reviver as (k: string, v: unknown) => unknown) as Value;
  } catch (e) {
    throw raise('ValueError', `invalid JSON: ${(e as Error).message}`);
  }
}

/* ---------------- core functions ---------------- */

def('len', ['value'], 1, ([v]) => {
  if (typeof v === 'string') return BigInt(codePoints(v).length);
  if (Array.isArray(v)) return BigInt(v.length);
  if (v !== undefined && isMap(v)) return BigInt(Object.keys(v).length);
  throw raise('TypeError', `len: unsupported type ${v === undefined ? 'nothing' : typeName(v)}`);
});
def('keys', ['map'], 1, ([m]) => Object.keys(want('keys', 'map', m, isMapV, 'a map')));
def('default', ['value', 'default_value'], 2, ([v, d]) => (v === null ? (d as Value) : (v as Value)));
def('get_type', ['value'], 1, ([v]) => typeName(v as Value));
def('int', ['value'], 1, ([v]) => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw raise('ValueError', `int: cannot convert ${v}`);
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string') {
    if (!/^\s*[-+]?[0-9]+\s*$/.test(v)) throw raise('ValueError', `int: invalid literal "${v}"`);
    return BigInt(v.trim());
  }
  throw raise('TypeError', `int: unsupported type ${v === undefined ? 'nothing' : typeName(v)}`);
});
def('double', ['value'], 1, ([v]) => {
  if (isNumber(v)) return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (!/^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(t)) throw raise('ValueError', `double: invalid literal "${v}"`);
    return Number(t);
  }
  throw raise('TypeError', `double: unsupported type ${v === undefined ? 'nothing' : typeName(v)}`);
});
def('string', ['value'], 1, ([v]) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw raise('TypeError', `string: unsupported type ${v === undefined ? 'nothing' : typeName(v)}`);
});

/* ---------------- text ---------------- */

def('text.split', ['source', 'separator'], 2, ([s, sep]) =>
  want('text.split', 'source', s, isStr, 'a string').split(want('text.split', 'separator', sep, isStr, 'a string')),
);
def('text.substring', ['source', 'start', 'end'], 3, ([s, a, b]) => {
  const cps = codePoints(want('text.substring', 'source', s, isStr, 'a string'));
  const clamp = (n: bigint) => Math.max(0, Math.min(cps.length, Number(n)));
  const start = clamp(want('text.substring', 'start', a, isInt, 'an integer'));
  const end = clamp(want('text.substring', 'end', b, isInt, 'an integer'));
  return start >= end ? '' : cps.slice(start, end).join('');
});
function cpIndex(s: string, utf16: number): bigint {
  return BigInt(codePoints(s.slice(0, utf16)).length);
}
def('text.find_all', ['source', 'substr'], 2, ([s, sub]) => {
  const src = want('text.find_all', 'source', s, isStr, 'a string');
  const needle = want('text.find_all', 'substr', sub, isStr, 'a string');
  const out: Value[] = [];
  if (needle === '') return out;
  for (let i = src.indexOf(needle); i !== -1; i = src.indexOf(needle, i + needle.length)) {
    out.push(newMap([['index', cpIndex(src, i)], ['match', needle]]));
  }
  return out;
});
def('text.find_all_regex', ['source', 'regexp'], 2, ([s, r]) => {
  const src = want('text.find_all_regex', 'source', s, isStr, 'a string');
  const re = toRegExp('text.find_all_regex', want('text.find_all_regex', 'regexp', r, isStr, 'a string'), true);
  return [...src.matchAll(re)].map((m) => newMap([['index', cpIndex(src, m.index)], ['match', m[0]]]));
});
def('text.match_regex', ['source', 'regexp'], 2, ([s, r]) =>
  toRegExp('text.match_regex', want('text.match_regex', 'regexp', r, isStr, 'a string')).test(want('text.match_regex', 'source', s, isStr, 'a string')),
);
def('text.replace_all', ['source', 'substr', 'repl'], 3, ([s, a, b]) =>
  want('text.replace_all', 'source', s, isStr, 'a string').split(want('text.replace_all', 'substr', a, isStr, 'a string')).join(want('text.replace_all', 'repl', b, isStr, 'a string')),
);
def('text.replace_all_regex', ['source', 'regexp', 'repl'], 3, ([s, r, p]) => {
  const re = toRegExp('text.replace_all_regex', want('text.replace_all_regex', 'regexp', r, isStr, 'a string'), true);
  // RE2 rewrite strings use \1; JS uses $1 (and `$` must be escaped).
  const repl = want('text.replace_all_regex', 'repl', p, isStr, 'a string').replace(/\$/g, '$$$$').replace(/\\([0-9])/g, '$$$1');
  return want('text.replace_all_regex', 'source', s, isStr, 'a string').replace(re, repl);
});
def('text.to_upper', ['source'], 1, ([s]) => want('text.to_upper', 'source', s, isStr, 'a string').toUpperCase());
def('text.to_lower', ['source'], 1, ([s]) => want('text.to_lower', 'source', s, isStr, 'a string').toLowerCase());
def('text.url_encode', ['source'], 1, ([s]) =>
  encodeURIComponent(want('text.url_encode', 'source', s, isStr, 'a string')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
);
def('text.url_encode_plus', ['source'], 1, ([s]) =>
  encodeURIComponent(want('text.url_encode_plus', 'source', s, isStr, 'a string')).replace(/%20/g, '+'),
);
def('text.url_decode', ['source'], 1, ([s]) => {
  try {
    return decodeURIComponent(want('text.url_decode', 'source', s, isStr, 'a string').replace(/\+/g, ' '));
  } catch {
    throw raise('ValueError', 'text.url_decode: malformed percent-encoding');
  }
});
def('text.encode', ['text', 'charset'], 1, ([s, cs]) => {
  if (cs !== undefined && cs !== 'UTF-8' && cs !== 'utf-8') throw raise('ValueError', `text.encode: unsupported charset ${String(cs)}`);
  return new WfBytes(new Uint8Array(Buffer.from(want('text.encode', 'text', s, isStr, 'a string'), 'utf8')));
});
def('text.decode', ['data', 'charset'], 1, ([d, cs]) => {
  if (cs !== undefined && cs !== 'UTF-8' && cs !== 'utf-8') throw raise('ValueError', `text.decode: unsupported charset ${String(cs)}`);
  if (!(d instanceof WfBytes)) throw raise('TypeError', `text.decode: argument 'data' must be bytes`);
  return Buffer.from(d.data).toString('utf8');
});
def('base64.encode', ['data', 'padding'], 1, ([d, pad]) => {
  if (!(d instanceof WfBytes)) throw raise('TypeError', `base64.encode: argument 'data' must be bytes`);
  const s = Buffer.from(d.data).toString('base64');
  return pad === false ? s.replace(/=+$/, '') : s;
});
def('base64.decode', ['data', 'padding'], 1, ([d]) => {
  const s = want('base64.decode', 'data', d, isStr, 'a string');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw raise('ValueError', 'base64.decode: invalid base64');
  return new WfBytes(new Uint8Array(Buffer.from(s, 'base64')));
});

/* ---------------- list / map ---------------- */

def('list.concat', ['objs', 'val'], 2, ([l, v]) => [...want('list.concat', 'objs', l, isList, 'a list'), v as Value]);
def('list.prepend', ['objs', 'val'], 2, ([l, v]) => [v as Value, ...want('list.prepend', 'objs', l, isList, 'a list')]);
def('map.get', ['map', 'keys'], 2, ([m, k]) => {
  let cur: Value = want('map.get', 'map', m, isMapV, 'a map');
  const path = typeof k === 'string' ? [k] : Array.isArray(k) ? k : undefined;
  if (!path) throw raise('TypeError', `map.get: argument 'keys' must be a string or a list of strings`);
  for (const key of path) {
    if (typeof key !== 'string') throw raise('TypeError', 'map.get: keys must be strings');
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return null;
    cur = cur[key] as Value;
  }
  return cur;
});
def('map.delete', ['map', 'key'], 2, ([m, k]) => {
  const src = want('map.delete', 'map', m, isMapV, 'a map');
  const key = want('map.delete', 'key', k, isStr, 'a string');
  return newMap(Object.entries(src).filter(([x]) => x !== key));
});
def('map.merge', ['first', 'second'], 2, ([a, b]) =>
  newMap([...Object.entries(want('map.merge', 'first', a, isMapV, 'a map')), ...Object.entries(want('map.merge', 'second', b, isMapV, 'a map'))]),
);
function mergeNested(a: WfMap, b: WfMap): WfMap {
  const out = newMap(Object.entries(a));
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = cur !== undefined && isMap(cur) && isMap(v) ? mergeNested(cur, v) : v;
  }
  return out;
}
def('map.merge_nested', ['first', 'second'], 2, ([a, b]) =>
  mergeNested(want('map.merge_nested', 'first', a, isMapV, 'a map'), want('map.merge_nested', 'second', b, isMapV, 'a map')),
);

/* ---------------- json ---------------- */

def('json.encode', ['data'], 1, ([d]) => new WfBytes(new Uint8Array(Buffer.from(jsonEncode(d as Value), 'utf8'))));
def('json.encode_to_string', ['data'], 1, ([d]) => jsonEncode(d as Value));
def('json.decode', ['data'], 1, ([d]) => {
  if (d instanceof WfBytes) return jsonDecode(Buffer.from(d.data).toString('utf8'));
  return jsonDecode(want('json.decode', 'data', d, isStr, 'a string or bytes'));
});

/* ---------------- math ---------------- */

def('math.abs', ['x'], 1, ([x]) => {
  const v = want('math.abs', 'x', x, isNum, 'a number');
  return typeof v === 'bigint' ? (v < 0n ? binary('-', 0n, v) : v) : Math.abs(v);
});
def('math.floor', ['x'], 1, ([x]) => {
  const v = want('math.floor', 'x', x, isNum, 'a number');
  if (typeof v === 'bigint') return v;
  if (!Number.isFinite(v)) throw raise('ValueError', `math.floor: cannot convert ${v} to an integer`);
  return BigInt(Math.floor(v));
});
def('math.max', ['x', 'y'], 2, ([x, y]) => {
  const a = want('math.max', 'x', x, isNum, 'a number');
  const b = want('math.max', 'y', y, isNum, 'a number');
  return binary('>=', a, b) ? a : b;
});
def('math.min', ['x', 'y'], 2, ([x, y]) => {
  const a = want('math.min', 'x', x, isNum, 'a number');
  const b = want('math.min', 'y', y, isNum, 'a number');
  return binary('<=', a, b) ? a : b;
});

/* ---------------- time ---------------- */

function formatFraction(seconds: number): string {
  const micros = Math.round((seconds - Math.floor(seconds)) * 1e6);
  if (micros === 0 || micros === 1e6) return '';
  return `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
}

/** RFC 3339 formatting of epoch seconds, optionally in an IANA time zone. */
export function formatTime(seconds: number, timeZone?: string): string {
  const ms = Math.floor(seconds) * 1000;
  const frac = formatFraction(seconds);
  if (timeZone === undefined) {
    return `${new Date(ms).toISOString().slice(0, 19)}${frac}Z`;
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      timeZoneName: 'longOffset',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(ms));
  } catch {
    throw raise('ValueError', `time.format: unknown time zone "${timeZone}"`);
  }
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  const tz = p('timeZoneName').replace(/^GMT/, '');
  const offset = tz === '' ? '+00:00' : tz;
  return `${p('year').padStart(4, '0')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}${frac}${offset}`;
}

def('time.format', ['seconds', 'timezone'], 1, ([s, tz]) => {
  const secs = Number(want('time.format', 'seconds', s, isNum, 'a number'));
  if (tz === undefined || tz === null) return formatTime(secs);
  return formatTime(secs, want('time.format', 'timezone', tz, isStr, 'a string'));
});

/** Parses an RFC 3339 timestamp into epoch seconds (double). */
export function parseTime(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) throw raise('ValueError', `time.parse: "${value}" is not an RFC 3339 timestamp`);
  const [, y, mo, d, h, mi, s, frac, off] = m as unknown as string[];
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    throw raise('ValueError', `time.parse: "${value}" is not a valid date/time`);
  }
  let offsetSec = 0;
  if (off && off !== 'Z' && off !== 'z') {
    const sign = off.startsWith('-') ? -1 : 1;
    offsetSec = sign * (Number(off.slice(1, 3)) * 3600 + Number(off.slice(4, 6)) * 60);
  }
  return base / 1000 + (frac ? Number(frac) : 0) - offsetSec;
}
def('time.parse', ['value'], 1, ([v]) => parseTime(want('time.parse', 'value', v, isStr, 'a string')));

/* ---------------- sys ---------------- */

const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

def('sys.now', [], 0, (_a, ctx) => ctx.nowMs() / 1000);
def('sys.get_env', ['name', 'default'], 1, ([n, d], ctx) => {
  const name = want('sys.get_env', 'name', n, isStr, 'a string');
  return Object.prototype.hasOwnProperty.call(ctx.env, name) ? (ctx.env[name] as string) : (d ?? null);
});
def('sys.sleep', ['seconds'], 1, async ([s], ctx) => {
  const secs = Number(want('sys.sleep', 'seconds', s, isNum, 'a number'));
  if (secs < 0) throw raise('ValueError', 'sys.sleep: seconds must not be negative');
  await ctx.sleep(secs * 1000);
  return null;
});
def('sys.sleep_until', ['time'], 1, async ([t], ctx) => {
  const until = parseTime(want('sys.sleep_until', 'time', t, isStr, 'a string'));
  const ms = until * 1000 - ctx.nowMs();
  if (ms > 0) await ctx.sleep(ms);
  return null;
});
def('sys.log', ['data', 'severity', 'text', 'json', 'timeout'], 0, ([data, sev, text, json], ctx) => {
  const given = [data, text, json].filter((x) => x !== undefined);
  if (given.length !== 1) throw raise('TypeError', "sys.log: exactly one of 'data', 'text' or 'json' is required");
  if (json !== undefined && !isMap(json)) throw raise('TypeError', "sys.log: 'json' must be a map");
  const severity = sev === undefined ? 'DEFAULT' : want('sys.log', 'severity', sev, isStr, 'a string').toUpperCase();
  if (!SEVERITIES.includes(severity)) throw raise('ValueError', `sys.log: invalid severity "${severity}"`);
  ctx.log({ severity, message: toJs(given[0] as Value) });
  return null;
});

def('uuid.generate', [], 0, () => randomUUID());

/* ---------------- retry predicates and policies ---------------- */

function errCode(e: Value | undefined): bigint | undefined {
  return e !== undefined && isMap(e) && typeof e.code === 'bigint' ? e.code : undefined;
}
function hasTag(e: Value | undefined, ...tags: string[]): boolean {
  return e !== undefined && isMap(e) && Array.isArray(e.tags) && e.tags.some((t) => typeof t === 'string' && tags.includes(t));
}

def('http.default_retry_predicate', ['e'], 1, ([e]) => {
  const code = errCode(e);
  if (code !== undefined && [429n, 502n, 503n, 504n].includes(code)) return true;
  return hasTag(e, 'ConnectionError', 'ConnectionFailedError', 'TimeoutError');
});
// Non-idempotent requests are only retried when the server did not process them.
def('http.default_retry_predicate_non_idempotent', ['e'], 1, ([e]) => {
  const code = errCode(e);
  return code !== undefined && [429n, 503n].includes(code);
});
def('retry.always', ['e'], 1, () => true);
def('retry.never', ['e'], 1, () => false);

function defaultBackoff(): WfMap {
  return newMap([
    ['initial_delay', 1n],
    ['max_delay', 60n],
    ['multiplier', 1.25],
  ]);
}

/** Named values usable in expressions without calling them (`${http.default_retry}`). */
export function stdConstant(name: string): Value | undefined {
  switch (name) {
    case 'http.default_retry':
      return newMap([
        ['predicate', new FunctionRef('http.default_retry_predicate')],
        ['max_retries', 5n],
        ['backoff', defaultBackoff()],
      ]);
    case 'http.default_retry_non_idempotent':
      return newMap([
        ['predicate', new FunctionRef('http.default_retry_predicate_non_idempotent')],
        ['max_retries', 5n],
        ['backoff', defaultBackoff()],
      ]);
    case 'retry.default_backoff':
      return defaultBackoff();
    default:
      return fns.has(name) ? new FunctionRef(name) : undefined;
  }
}

/* ---------------- http ---------------- */

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const DEFAULT_HTTP_TIMEOUT_S = 300;
const MAX_HTTP_TIMEOUT_S = 1800;

function headerValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (isNumber(v) || typeof v === 'boolean') return String(v);
  throw raise('TypeError', `http: header values must be strings, got ${typeName(v)}`);
}

async function httpRequest(
  method: string,
  [url, headers, query, body, auth, timeout]: (Value | undefined)[],
  ctx: StdContext,
): Promise<Value> {
  const m = method.toUpperCase();
  if (!METHODS.includes(m)) throw raise('ValueError', `http.request: unsupported method "${method}"`);
  const target = new URL(want('http', 'url', url, isStr, 'a string'));
  if (query !== undefined && query !== null) {
    for (const [k, v] of Object.entries(want('http', 'query', query, isMapV, 'a map'))) {
      for (const item of Array.isArray(v) ? v : [v]) target.searchParams.append(k, headerValue(item));
    }
  }
  const hdrs: Record<string, string> = {};
  if (headers !== undefined && headers !== null) {
    for (const [k, v] of Object.entries(want('http', 'headers', headers, isMapV, 'a map'))) hdrs[k] = headerValue(v);
  }
  if (auth !== undefined && auth !== null) {
    // Auth is not performed locally (no metadata server); it is only validated.
    const a = want('http', 'auth', auth, isMapV, 'a map');
    if (a.type !== 'OIDC' && a.type !== 'OAuth2') throw raise('ValueError', `http: auth.type must be "OIDC" or "OAuth2"`);
  }
  const ctKey = Object.keys(hdrs).find((k) => k.toLowerCase() === 'content-type');
  const ct = ctKey ? (hdrs[ctKey] as string).toLowerCase() : undefined;
  let payload: string | Uint8Array | undefined;
  if (body !== undefined && body !== null) {
    if (body instanceof WfBytes) payload = body.data;
    else if (ct?.startsWith('application/x-www-form-urlencoded') && isMap(body)) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) form.append(k, headerValue(v));
      payload = form.toString();
    } else if (typeof body === 'string' && ct !== undefined && !ct.includes('json')) payload = body;
    else {
      payload = jsonEncode(body);
      if (!ctKey) hdrs['Content-Type'] = 'application/json';
    }
  }
  let timeoutS = DEFAULT_HTTP_TIMEOUT_S;
  if (timeout !== undefined && timeout !== null) {
    timeoutS = Number(want('http', 'timeout', timeout, isNum, 'a number'));
    if (timeoutS <= 0 || timeoutS > MAX_HTTP_TIMEOUT_S) throw raise('ValueError', `http: timeout must be in (0, ${MAX_HTTP_TIMEOUT_S}] seconds`);
  }
  let res: Response;
  let text: string | Uint8Array;
  const signal = AbortSignal.timeout(timeoutS * 1000);
  const init: RequestInit = { method: m, headers: hdrs, signal };
  if (payload !== undefined) init.body = payload;
  try {
    res = await ctx.fetch(target.toString(), init);
    const rct = res.headers.get('content-type') ?? '';
    text = /json|^text\/|xml|^$/i.test(rct) ? await res.text() : new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof Raised) throw e;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || signal.aborted) {
      throw new Raised(errorMap('TimeoutError', `http ${m} ${target.toString()}: timed out after ${timeoutS}s`));
    }
    const detail = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new Raised(errorMap('ConnectionError', `http ${m} ${target.toString()}: connection failed: ${detail}`));
  }
  const respHeaders = newMap();
  res.headers.forEach((v, k) => {
    respHeaders[k] = v;
  });
  let respBody: Value;
  if (typeof text !== 'string') respBody = new WfBytes(text);
  else if (/json/i.test(res.headers.get('content-type') ?? '')) {
    respBody = text.trim() === '' ? null : jsonDecode(text);
  } else respBody = text;
  const code = BigInt(res.status);
  if (res.status < 200 || res.status > 299) {
    throw new Raised(
      errorMap('HttpError', `HTTP server responded with error code ${res.status}`, { code, headers: respHeaders, body: respBody }),
    );
  }
  return newMap([
    ['code', code],
    ['headers', respHeaders],
    ['body', respBody],
  ]);
}

const HTTP_COMMON = ['url', 'headers', 'query', 'body', 'auth', 'timeout'];
for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
  def(`http.${verb}`, HTTP_COMMON, 1, (args, ctx) => httpRequest(verb, args, ctx));
}
def('http.request', ['method', ...HTTP_COMMON], 2, ([method, ...rest], ctx) =>
  httpRequest(want('http.request', 'method', method, isStr, 'a string'), rest, ctx),
);

/* ---------------- lookup ---------------- */

/** Finds a standard-library function by its dotted name. */
export function getStdFunction(name: string): StdFunction | undefined {
  return fns.get(name);
}

/** Names of all available standard-library functions (for docs and errors). */
export function stdFunctionNames(): string[] {
  return [...fns.keys()].sort();
}

/** Namespaces of Cloud Workflows' stdlib that are not implemented locally. */
export const UNSUPPORTED_NAMESPACES = ['events', 'experimental', 'hash', 'bytes'];
