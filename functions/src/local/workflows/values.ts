/**
 * Runtime value model of the local Cloud Workflows interpreter.
 *
 * Cloud Workflows distinguishes integers (64-bit) from doubles (`1` vs `1.0`,
 * `/` always yields a double, `//` an integer). JavaScript numbers cannot carry
 * that distinction, so internally **integers are `bigint` and doubles are
 * `number`**. Values are converted at the boundaries (arguments, results,
 * connector and HTTP payloads) with {@link fromJs} / {@link toJs}.
 */

/** Bytes value (`json.encode`, `text.encode`, `base64.decode`). */
export class WfBytes {
  constructor(readonly data: Uint8Array) {}
}

/**
 * Reference to a function used as a value, e.g. `${http.default_retry_predicate}`
 * or `${my_subworkflow}` as a retry predicate.
 */
export class FunctionRef {
  constructor(readonly name: string) {}
}

/** A Workflows map. Null-prototype objects so any key (even `__proto__`) is data. */
export type WfMap = { [key: string]: Value };

/** Any runtime value. */
export type Value = null | boolean | bigint | number | string | WfBytes | FunctionRef | Value[] | WfMap;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Creates an empty map (null prototype). */
export function newMap(entries?: Iterable<[string, Value]>): WfMap {
  const m = Object.create(null) as WfMap;
  if (entries) for (const [k, v] of entries) m[k] = v;
  return m;
}

export function isMap(v: unknown): v is WfMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof WfBytes) && !(v instanceof FunctionRef);
}

export function isNumber(v: unknown): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** Workflows type name, as returned by `get_type()` and used in error messages. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (v instanceof WfBytes) return 'bytes';
  if (v instanceof FunctionRef) return 'function';
  if (Array.isArray(v)) return 'list';
  return 'map';
}

/**
 * Deep copy. Workflows values have value semantics (assigning a map to a second
 * variable and mutating one does not change the other), so assignments and
 * argument passing copy containers.
 */
export function clone(v: Value): Value {
  if (Array.isArray(v)) return v.map(clone);
  if (isMap(v)) {
    const m = newMap();
    for (const k of Object.keys(v)) m[k] = clone(v[k] as Value);
    return m;
  }
  return v;
}

/** Structural equality with numeric comparison across int/double (`1 == 1.0`). */
export function deepEqual(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return Number(a) === Number(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as Value));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k] as Value, b[k] as Value));
  }
  if (a instanceof WfBytes && b instanceof WfBytes) {
    return a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
  }
  if (a instanceof FunctionRef && b instanceof FunctionRef) return a.name === b.name;
  return a === b;
}

/**
 * Converts a plain JS/JSON value into a runtime value. Integral JS numbers become
 * integers: JSON coming from connectors/HTTP cannot tell `2` from `2.0` apart.
 */
export function fromJs(v: unknown): Value {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
    case 'bigint':
      return v;
    case 'number':
      return Number.isInteger(v) && !Object.is(v, -0) && Number.isSafeInteger(v) ? BigInt(v) : v;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot convert JavaScript ${typeof v} to a Workflows value`);
  }
  if (v instanceof WfBytes || v instanceof FunctionRef) return v;
  if (v instanceof Uint8Array) return new WfBytes(v);
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof Date) return v.toISOString();
  const m = newMap();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x !== undefined) m[k] = fromJs(x);
  }
  return m;
}

/**
 * Converts a runtime value into plain JS: integers become numbers (or stay
 * bigint when outside the safe-integer range), maps become ordinary objects,
 * bytes become `Uint8Array`.
 */
export function toJs(v: Value): unknown {
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (v instanceof WfBytes) return v.data;
  if (v instanceof FunctionRef) return `<function ${v.name}>`;
  if (Array.isArray(v)) return v.map(toJs);
  if (isMap(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      Object.defineProperty(o, k, { value: toJs(v[k] as Value), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  return v;
}

/** Formats a double the way Workflows prints it in strings (`1.5`, `2.0` → `2`). */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Short human representation of a value for error messages. */
export function describe(v: Value): string {
  try {
    const s = JSON.stringify(toJs(v), (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return typeName(v);
  }
}
