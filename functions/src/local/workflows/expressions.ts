/**
 * The Cloud Workflows expression language (`${...}`): tokenizer, parser and
 * evaluator.
 *
 * Evaluation is async because expressions may call subworkflows
 * (`${double_it(2)}`), which run steps.
 */
import { raise, Raised, WorkflowDefinitionError } from './errors.js';
import {
  deepEqual,
  FunctionRef,
  INT64_MAX,
  INT64_MIN,
  isMap,
  isNumber,
  newMap,
  typeName,
  type Value,
  type WfMap,
} from './values.js';

/** Expression AST. */
export type Expr =
  | { t: 'lit'; v: Value }
  | { t: 'var'; name: string }
  | { t: 'member'; obj: Expr; name: string }
  | { t: 'index'; obj: Expr; index: Expr }
  | { t: 'call'; name: string; args: Expr[] }
  | { t: 'list'; items: Expr[] }
  | { t: 'map'; entries: [Expr, Expr][] }
  | { t: 'unary'; op: '-' | 'not'; e: Expr }
  | { t: 'bin'; op: BinOp; l: Expr; r: Expr };

type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'and' | 'or';

type Token =
  | { k: 'num'; v: bigint | number; pos: number }
  | { k: 'str'; v: string; pos: number }
  | { k: 'id'; v: string; pos: number }
  | { k: 'op'; v: string; pos: number }
  | { k: 'eof'; pos: number };

/** Syntax error inside an expression; a definition error, not catchable. */
export class ExpressionSyntaxError extends WorkflowDefinitionError {
  constructor(message: string, source: string, pos: number) {
    super(`invalid expression \${${source}} at offset ${pos}: ${message}`);
    this.name = 'ExpressionSyntaxError';
  }
}

const OPS = ['//', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', ':', '.'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'", '/': '/', '0': '\0' };

/** Splits an expression source into tokens. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i)) as RegExpExecArray;
      const text = m[0];
      i += text.length;
      if (m[1] === undefined && m[2] === undefined) {
        const v = BigInt(text);
        if (v > INT64_MAX + 1n) throw new ExpressionSyntaxError(`integer literal ${text} out of range`, src, start);
        out.push({ k: 'num', v, pos: start });
      } else {
        out.push({ k: 'num', v: Number(text), pos: start });
      }
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionSyntaxError('unterminated string literal', src, start);
        const d = src[i] as string;
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          if (e === 'u') {
            const hex = src.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionSyntaxError('invalid \\u escape', src, i);
            s += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            continue;
          }
          const rep = e === undefined ? undefined : ESCAPES[e];
          if (rep === undefined) throw new ExpressionSyntaxError(`invalid escape \\${e ?? ''}`, src, i);
          s += rep;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ k: 'str', v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      i += m[0].length;
      out.push({ k: 'id', v: m[0], pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionSyntaxError(`unexpected character '${c}'`, src, i);
    i += op.length;
    out.push({ k: 'op', v: op, pos: start });
  }
  out.push({ k: 'eof', pos: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  private peek(): Token {
    return this.toks[this.i] as Token;
  }
  private next(): Token {
    return this.toks[this.i++] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private isKw(v: string): boolean {
    const t = this.peek();
    return t.k === 'id' && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.k !== 'op' || t.v !== v) this.fail(`expected '${v}'`, t);
  }
  private fail(msg: string, t: Token = this.peek()): never {
    const what = t.k === 'eof' ? 'end of expression' : `'${String(t.v)}'`;
    throw new ExpressionSyntaxError(`${msg}, found ${what}`, this.src, t.pos);
  }

  parseAll(): Expr {
    const e = this.parseOr();
    if (this.peek().k !== 'eof') this.fail('unexpected token');
    return e;
  }
  private parseOr(): Expr {
    let l = this.parseAnd();
    while (this.isKw('or')) {
      this.next();
      l = { t: 'bin', op: 'or', l, r: this.parseAnd() };
    }
    return l;
  }
  private parseAnd(): Expr {
    let l = this.parseNot();
    while (this.isKw('and')) {
      this.next();
      l = { t: 'bin', op: 'and', l, r: this.parseNot() };
    }
    return l;
  }
  private parseNot(): Expr {
    if (this.isKw('not')) {
      this.next();
      return { t: 'unary', op: 'not', e: this.parseNot() };
    }
    return this.parseCmp();
  }
  private parseCmp(): Expr {
    let l = this.parseAdd();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
        this.next();
        l = { t: 'bin', op: t.v as BinOp, l, r: this.parseAdd() };
      } else if (t.k === 'id' && t.v === 'in') {
        this.next();
        l = { t: 'bin', op: 'in', l, r: this.parseAdd() };
      } else return l;
    }
  }
  private parseAdd(): Expr {
    let l = this.parseMul();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && (t.v === '+' || t.v === '-')) {
        this.next();
        l = { t: 'bin', op: t.v, l, r: this.parseMul() };
      } else return l;
    }
  }
  private parseMul(): Expr {
    let l = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && (t.v === '*' || t.v === '/' || t.v === '//' || t.v === '%')) {
        this.next();
        l = { t: 'bin', op: t.v, l, r: this.parseUnary() };
      } else return l;
    }
  }
  private parseUnary(): Expr {
    if (this.isOp('-')) {
      this.next();
      const e = this.parseUnary();
      // Fold literals so that -9223372036854775808 is representable.
      if (e.t === 'lit' && isNumber(e.v)) return { t: 'lit', v: typeof e.v === 'bigint' ? -e.v : -e.v };
      return { t: 'unary', op: '-', e };
    }
    return this.parsePostfix();
  }
  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.next();
        if (t.k !== 'id') this.fail('expected a name after "."', t);
        e = { t: 'member', obj: e, name: t.v };
      } else if (this.isOp('[')) {
        this.next();
        const index = this.parseOr();
        this.expectOp(']');
        e = { t: 'index', obj: e, index };
      } else if (this.isOp('(')) {
        const name = dottedName(e);
        if (name === undefined) this.fail('only named functions can be called');
        this.next();
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.parseOr());
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        this.expectOp(')');
        e = { t: 'call', name, args };
      } else return e;
    }
  }
  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.k) {
      case 'num':
        return { t: 'lit', v: t.v };
      case 'str':
        return { t: 'lit', v: t.v };
      case 'id':
        if (t.v === 'true' || t.v === 'True' || t.v === 'TRUE') return { t: 'lit', v: true };
        if (t.v === 'false' || t.v === 'False' || t.v === 'FALSE') return { t: 'lit', v: false };
        if (t.v === 'null') return { t: 'lit', v: null };
        if (['and', 'or', 'not', 'in'].includes(t.v)) this.fail('unexpected keyword', t);
        return { t: 'var', name: t.v };
      case 'op':
        if (t.v === '(') {
          const e = this.parseOr();
          this.expectOp(')');
          return e;
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          while (!this.isOp(']')) {
            items.push(this.parseOr());
            if (!this.isOp(',')) break;
            this.next();
          }
          this.expectOp(']');
          return { t: 'list', items };
        }
        if (t.v === '{') {
          const entries: [Expr, Expr][] = [];
          while (!this.isOp('}')) {
            const k = this.parseOr();
            this.expectOp(':');
            entries.push([k, this.parseOr()]);
            if (!this.isOp(',')) break;
            this.next();
          }
          this.expectOp('}');
          return { t: 'map', entries };
        }
        return this.fail('unexpected operator', t);
      case 'eof':
        return this.fail('unexpected end', t);
    }
  }
}

/** `a.b.c` as a string when the expression is a plain dotted name, else undefined. */
export function dottedName(e: Expr): string | undefined {
  if (e.t === 'var') return e.name;
  if (e.t === 'member') {
    const p = dottedName(e.obj);
    return p === undefined ? undefined : `${p}.${e.name}`;
  }
  return undefined;
}

const cache = new Map<string, Expr>();

/** Parses an expression body (without `${` `}`). Results are cached. */
export function parseExpression(src: string): Expr {
  let e = cache.get(src);
  if (!e) {
    e = new Parser(tokenize(src), src).parseAll();
    cache.set(src, e);
  }
  return e;
}

/**
 * If `s` is exactly one `${...}` expression returns its body, else undefined.
 * Cloud Workflows only evaluates values that are a whole expression; text that
 * mixes `${}` with other characters stays literal, and so it does here.
 */
export function expressionBody(s: string): string | undefined {
  if (!s.startsWith('${') || !s.endsWith('}')) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 2; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) return i === s.length - 1 ? s.slice(2, -1) : undefined;
      depth--;
    }
  }
  return undefined;
}

/** What the evaluator needs from the runtime. */
export interface EvalContext {
  /** Variable lookup; `undefined` when not defined. */
  lookup(name: string): Value | undefined;
  /** Value of a dotted name that is not a variable (function refs, `http.default_retry`). */
  resolveName(name: string): Value | undefined;
  /** Calls a standard-library function or a subworkflow with positional arguments. */
  call(name: string, args: Value[]): MaybePromise<Value>;
}

function checkInt(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw raise('ValueError', 'integer overflow');
  return v;
}

function typeErr(op: string, a: Value, b?: Value): Raised {
  const types = b === undefined ? typeName(a) : `${typeName(a)} and ${typeName(b)}`;
  return raise('TypeError', `unsupported operand type(s) for ${op}: ${types}`);
}

/** Reads `obj[key]` with Workflows errors (KeyError, IndexError, TypeError). */
export function getItem(obj: Value, key: Value): Value {
  if (Array.isArray(obj)) {
    if (typeof key !== 'bigint') throw raise('TypeError', `list index must be an integer, got ${typeName(key)}`);
    if (key < 0n || key >= BigInt(obj.length)) throw raise('IndexError', `list index out of range: ${key}`);
    return obj[Number(key)] as Value;
  }
  if (isMap(obj)) {
    if (typeof key !== 'string') throw raise('TypeError', `map key must be a string, got ${typeName(key)}`);
    if (!Object.prototype.hasOwnProperty.call(obj, key)) throw raise('KeyError', `key not found: ${key}`);
    return obj[key] as Value;
  }
  throw raise('TypeError', `cannot index a value of type ${typeName(obj)}`);
}

function compare(op: string, a: Value, b: Value): boolean {
  let c: number;
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') c = a < b ? -1 : a > b ? 1 : 0;
    else c = Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  } else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else throw typeErr(op, a, b);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function asBool(op: string, v: Value): boolean {
  if (typeof v !== 'boolean') throw raise('TypeError', `operand of '${op}' must be a boolean, got ${typeName(v)}`);
  return v;
}

/** Applies a binary arithmetic/comparison operator (not `and`/`or`). */
export function binary(op: BinOp, a: Value, b: Value): Value {
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, a, b);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => deepEqual(a, x));
      if (isMap(b)) {
        if (typeof a !== 'string') throw raise('TypeError', `map key must be a string, got ${typeName(a)}`);
        return Object.prototype.hasOwnProperty.call(b, a);
      }
      throw typeErr('in', a, b);
    case '+':
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      break;
  }
  if (!isNumber(a) || !isNumber(b)) throw typeErr(op, a, b);
  const ints = typeof a === 'bigint' && typeof b === 'bigint';
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '+':
      return ints ? checkInt((a as bigint) + (b as bigint)) : x + y;
    case '-':
      return ints ? checkInt((a as bigint) - (b as bigint)) : x - y;
    case '*':
      return ints ? checkInt((a as bigint) * (b as bigint)) : x * y;
    case '/':
      if (y === 0) throw raise('ZeroDivisionError', 'division by zero');
      return x / y;
    case '//': {
      if (y === 0) throw raise('ZeroDivisionError', 'integer division by zero');
      if (ints) {
        const p = a as bigint;
        const q = b as bigint;
        const d = p / q;
        // bigint division truncates; floor it like Python/Workflows.
        return checkInt((p % q !== 0n && (p < 0n) !== (q < 0n)) ? d - 1n : d);
      }
      return Math.floor(x / y);
    }
    case '%':
      if (y === 0) throw raise('ZeroDivisionError', 'modulo by zero');
      return ints ? (a as bigint) % (b as bigint) : x % y;
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** A value, or a promise of one when evaluation had to call something asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Chains on a maybe-promise without yielding to the event loop when it is a plain value.
 * (Not named `then`: a module exporting `then` is a thenable and breaks dynamic import.)
 */
export function andThen<T, U>(v: MaybePromise<T>, f: (x: T) => MaybePromise<U>): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Evaluates expressions left to right, staying synchronous while possible. */
export function evalAll(es: Expr[], ctx: EvalContext): MaybePromise<Value[]> {
  const out: Value[] = [];
  const step = (i: number): MaybePromise<Value[]> => {
    for (; i < es.length; i++) {
      const v = evaluate(es[i] as Expr, ctx);
      if (v instanceof Promise) {
        const next = i + 1;
        return v.then((x) => {
          out.push(x);
          return step(next);
        });
      }
      out.push(v);
    }
    return out;
  };
  return step(0);
}

/**
 * Evaluates a parsed expression.
 *
 * Synchronous unless a subworkflow or asynchronous function is called. That
 * matters for `parallel`: an assignment such as `total: ${total + 1}` to a
 * shared variable is then read-modify-written without yielding to other
 * branches, i.e. atomically, as Cloud Workflows guarantees.
 */
export function evaluate(e: Expr, ctx: EvalContext): MaybePromise<Value> {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'var': {
      const v = ctx.lookup(e.name);
      if (v !== undefined) return v;
      const r = ctx.resolveName(e.name);
      if (r !== undefined) return r;
      throw raise('KeyError', `variable '${e.name}' not found`);
    }
    case 'member': {
      const name = dottedName(e);
      if (name !== undefined) {
        const root = name.split('.')[0] as string;
        if (ctx.lookup(root) === undefined) {
          const r = ctx.resolveName(name);
          if (r !== undefined) return r;
        }
      }
      return andThen(evaluate(e.obj, ctx), (obj) => {
        if (!isMap(obj)) throw raise('TypeError', `cannot access attribute '${e.name}' of a value of type ${typeName(obj)}`);
        return getItem(obj, e.name);
      });
    }
    case 'index':
      return andThen(evalAll([e.obj, e.index], ctx), ([o, i]) => getItem(o as Value, i as Value));
    case 'call':
      return andThen(evalAll(e.args, ctx), (args) => ctx.call(e.name, args));
    case 'list':
      return evalAll(e.items, ctx);
    case 'map':
      return andThen(evalAll(e.entries.flat(), ctx), (kv) => {
        const m: WfMap = newMap();
        for (let i = 0; i < kv.length; i += 2) {
          const k = kv[i] as Value;
          if (typeof k !== 'string') throw raise('TypeError', `map key must be a string, got ${typeName(k)}`);
          m[k] = kv[i + 1] as Value;
        }
        return m;
      });
    case 'unary':
      return andThen(evaluate(e.e, ctx), (v) => {
        if (e.op === 'not') return !asBool('not', v);
        if (typeof v === 'bigint') return checkInt(-v);
        if (typeof v === 'number') return -v;
        throw typeErr('unary -', v);
      });
    case 'bin': {
      if (e.op === 'and') {
        return andThen(evaluate(e.l, ctx), (l) => (!asBool('and', l) ? false : andThen(evaluate(e.r, ctx), (r) => asBool('and', r))));
      }
      if (e.op === 'or') {
        return andThen(evaluate(e.l, ctx), (l) => (asBool('or', l) ? true : andThen(evaluate(e.r, ctx), (r) => asBool('or', r))));
      }
      const op = e.op;
      return andThen(evalAll([e.l, e.r], ctx), ([l, r]) => binary(op, l as Value, r as Value));
    }
  }
}
