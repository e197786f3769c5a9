/**
 * Step execution: the core of the interpreter.
 *
 * Control flow is modelled with {@link Signal}s returned by step lists rather
 * than exceptions, so that `try/except` only ever sees Workflows errors
 * ({@link Raised}); a `next` to a step outside the current list bubbles up until
 * the list containing the target (validated statically in parse.ts).
 */
import { Raised, raise, errorMap, UnsupportedError, WorkflowDefinitionError, WorkflowError } from './errors.js';
import { evalAll, evaluate, expressionBody, getItem, parseExpression, andThen, type EvalContext, type MaybePromise } from './expressions.js';
import type { AssignTarget, ForLoop, Step, Subworkflow, Workflow } from './parse.js';
import { CancelToken, Scope } from './scope.js';
import { getStdFunction, stdConstant, UNSUPPORTED_NAMESPACES, type StdContext } from './stdlib.js';
import { clone, FunctionRef, fromJs, isMap, isNumber, newMap, toJs, typeName, type Value, type WfMap } from './values.js';

/** Context given to connector implementations. */
export interface ConnectorContext {
  /** Name of the calling step. */
  step: string;
  /** The connector name, e.g. `googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run`. */
  name: string;
}

/**
 * Local implementation of a `googleapis.*` connector (or any other named call).
 * Receives the evaluated `args` as plain JS; its result becomes the step result.
 * Throw a {@link WorkflowError} to raise a Workflows error the workflow can catch.
 */
export type Connector = (args: Record<string, unknown>, ctx: ConnectorContext) => Promise<unknown> | unknown;

export interface InterpreterOptions {
  std: StdContext;
  connectors: Record<string, Connector>;
  maxSteps: number;
  maxCallDepth: number;
  defaultConcurrency: number;
  onStep?: (name: string) => void;
}

type Signal =
  | { k: 'return'; v: Value }
  | { k: 'end' }
  | { k: 'break' }
  | { k: 'continue' }
  | { k: 'jump'; target: string };

/** Internal: thrown inside a cancelled parallel branch to unwind it. */
class Cancelled extends Error {}

function jump(target: string | undefined): Signal | undefined {
  if (target === undefined) return undefined;
  if (target === 'end' || target === 'break' || target === 'continue') return { k: target };
  return { k: 'jump', target };
}

interface RetryPolicy {
  predicate: string;
  maxRetries: number;
  initialDelay: number;
  maxDelay: number;
  multiplier: number;
}

/** Executes a parsed {@link Workflow}. One instance per execution. */
export class Interpreter {
  private stepCount = 0;
  /** Call depth of each subworkflow frame, for the recursion limit. */
  private readonly frameDepth = new WeakMap<Scope, number>();

  constructor(
    private readonly wf: Workflow,
    private readonly opts: InterpreterOptions,
  ) {}

  /** Runs `main` with the execution argument (already converted to a runtime value). */
  async run(args: Value): Promise<Value> {
    const main = this.wf.main;
    const bound = newMap();
    if (main.params[0]) bound[main.params[0].name] = args;
    return this.callSubworkflow(main, bound, 'main', 0, new CancelToken());
  }

  /* ---------------- subworkflows and function calls ---------------- */

  private async callSubworkflow(sub: Subworkflow, args: WfMap, step: string, depth: number, cancel: CancelToken): Promise<Value> {
    if (depth > this.opts.maxCallDepth) {
      throw raise('RecursionError', `maximum call depth ${this.opts.maxCallDepth} exceeded calling "${sub.name}"`);
    }
    const frame = new Scope('frame', undefined, cancel);
    this.frameDepth.set(frame, depth);
    for (const k of Object.keys(args)) {
      if (!sub.params.some((p) => p.name === k)) {
        throw raise('TypeError', `subworkflow "${sub.name}" has no parameter "${k}"`);
      }
    }
    for (const p of sub.params) {
      if (Object.prototype.hasOwnProperty.call(args, p.name)) frame.vars.set(p.name, clone(args[p.name] as Value));
      else if (p.hasDefault) frame.vars.set(p.name, await this.evalValue(p.default ?? null, frame, step));
      else if (sub.name === 'main') frame.vars.set(p.name, null);
      else throw raise('TypeError', `missing argument "${p.name}" for subworkflow "${sub.name}"`);
    }
    const sig = await this.execList(sub.steps, frame);
    if (sig?.k === 'return') return sig.v;
    if (sig === undefined || sig.k === 'end') return null;
    throw new Error(`internal: unexpected ${sig.k} signal at the top of subworkflow ${sub.name}`);
  }

  private depthOf(scope: Scope): number {
    let s: Scope = scope;
    while (s.parent) s = s.parent;
    return this.frameDepth.get(s) ?? 0;
  }

  /** Calls a function/subworkflow by name with positional args (expressions, predicates). */
  private callPositional(name: string, args: Value[], scope: Scope, step: string): MaybePromise<Value> {
    const sub = this.wf.subworkflows.get(name);
    if (sub) {
      if (args.length > sub.params.length) {
        throw raise('TypeError', `subworkflow "${name}" takes ${sub.params.length} argument(s), got ${args.length}`);
      }
      const named = newMap(args.map((a, i) => [(sub.params[i] as { name: string }).name, a]));
      return this.callSubworkflow(sub, named, step, this.depthOf(scope) + 1, scope.cancel);
    }
    const fn = getStdFunction(name);
    if (fn) {
      if (args.length < fn.required || args.length > fn.params.length) {
        throw raise('TypeError', `${name}() takes ${fn.required === fn.params.length ? fn.required : `${fn.required} to ${fn.params.length}`} argument(s), got ${args.length}`);
      }
      return fn.fn(args, this.opts.std);
    }
    throw this.unknownFunction(name, step);
  }

  private unknownFunction(name: string, step: string): Error {
    const ns = name.split('.')[0] as string;
    if (UNSUPPORTED_NAMESPACES.includes(ns) || name.startsWith('googleapis.')) {
      return new UnsupportedError(`function "${name}" is not available in the local interpreter`, step);
    }
    return new WorkflowDefinitionError(`unknown function or subworkflow "${name}"`, step);
  }

  /** The `call:` step: named args, to subworkflows, stdlib, or connectors. */
  private async callNamed(name: string, args: WfMap, scope: Scope, step: string): Promise<Value> {
    const sub = this.wf.subworkflows.get(name);
    if (sub) return this.callSubworkflow(sub, args, step, this.depthOf(scope) + 1, scope.cancel);
    const fn = getStdFunction(name);
    if (fn) {
      const positional: (Value | undefined)[] = fn.params.map(() => undefined);
      for (const [k, v] of Object.entries(args)) {
        const i = fn.params.indexOf(k);
        if (i < 0) throw raise('TypeError', `${name}: unexpected argument "${k}" (expected ${fn.params.join(', ') || 'no arguments'})`);
        positional[i] = v;
      }
      for (let i = 0; i < fn.required; i++) {
        if (positional[i] === undefined) throw raise('TypeError', `${name}: missing required argument "${fn.params[i]}"`);
      }
      return fn.fn(positional, this.opts.std);
    }
    const connector = this.opts.connectors[name];
    if (connector) {
      try {
        return fromJs(await connector(toJs(args) as Record<string, unknown>, { step, name }));
      } catch (e) {
        if (e instanceof WorkflowError) throw new Raised(fromJs(e.value));
        throw e;
      }
    }
    if (name.startsWith('googleapis.')) {
      throw new UnsupportedError(`connector "${name}" has no local implementation (pass it in options.connectors)`, step);
    }
    throw this.unknownFunction(name, step);
  }

  /* ---------------- values ---------------- */

  private evalCtx(scope: Scope, step: string): EvalContext {
    return {
      lookup: (n) => scope.lookup(n),
      resolveName: (n) => stdConstant(n) ?? (this.wf.subworkflows.has(n) ? new FunctionRef(n) : undefined),
      call: (n, args) => this.callPositional(n, args, scope, step),
    };
  }

  /** Evaluates a raw YAML value: whole-string `${...}` are expressions, containers recurse. */
  evalValue(raw: Value, scope: Scope, step: string): MaybePromise<Value> {
    if (typeof raw === 'string') {
      const body = expressionBody(raw);
      return body === undefined ? raw : evaluate(parseExpression(body), this.evalCtx(scope, step));
    }
    if (Array.isArray(raw)) {
      return this.evalEach(raw, scope, step, 0, []);
    }
    if (isMap(raw)) {
      const keys = Object.keys(raw);
      return andThen(this.evalEach(keys.map((k) => raw[k] as Value), scope, step, 0, []), (vals) =>
        newMap(keys.map((k, i) => [k, vals[i] as Value])),
      );
    }
    return raw;
  }

  private evalEach(raws: Value[], scope: Scope, step: string, from: number, out: Value[]): MaybePromise<Value[]> {
    for (let i = from; i < raws.length; i++) {
      const v = this.evalValue(raws[i] as Value, scope, step);
      if (v instanceof Promise) {
        return v.then((x) => {
          out.push(x);
          return this.evalEach(raws, scope, step, i + 1, out);
        });
      }
      out.push(v);
    }
    return out;
  }

  /**
   * Assigns to a target. Synchronous when the target's index expressions are,
   * so that evaluate-then-write of one assignment cannot interleave with
   * another parallel branch.
   */
  private assign(target: AssignTarget, value: Value, scope: Scope, step: string): MaybePromise<void> {
    if (target.path.length === 0) {
      scope.assign(target.root, value, step);
      return;
    }
    const keyExprs = target.path.map((p) => (p.kind === 'name' ? ({ t: 'lit', v: p.name } as const) : p.expr));
    return andThen(evalAll(keyExprs, this.evalCtx(scope, step)), (vals) => this.assignPath(target, vals, value, scope, step));
  }

  private assignPath(target: AssignTarget, keys: Value[], value: Value, scope: Scope, step: string): void {
    scope.owner(target.root, step); // enforces the parallel `shared` rule for in-place updates
    let container = scope.lookup(target.root);
    if (container === undefined) throw raise('KeyError', `variable '${target.root}' not found`);
    for (let i = 0; i < keys.length - 1; i++) container = getItem(container, keys[i] as Value);
    const last = keys[keys.length - 1] as Value;
    if (isMap(container)) {
      if (typeof last !== 'string') throw raise('TypeError', `map key must be a string, got ${typeName(last)}`);
      container[last] = value;
    } else if (Array.isArray(container)) {
      if (typeof last !== 'bigint') throw raise('TypeError', `list index must be an integer, got ${typeName(last)}`);
      if (last < 0n || last >= BigInt(container.length)) throw raise('IndexError', `list index out of range: ${last}`);
      container[Number(last)] = value;
    } else {
      throw raise('TypeError', `cannot assign into a value of type ${typeName(container)} (${target.source})`);
    }
  }

  /* ---------------- steps ---------------- */

  private async execList(steps: Step[], scope: Scope): Promise<Signal | undefined> {
    let i = 0;
    while (i < steps.length) {
      const step = steps[i] as Step;
      const sig = await this.execStep(step, scope);
      if (sig === undefined) {
        i++;
        continue;
      }
      if (sig.k !== 'jump') return sig;
      const target = steps.findIndex((s) => s.name === sig.target);
      if (target < 0) return sig;
      i = target;
    }
    return undefined;
  }

  private async execStep(step: Step, scope: Scope): Promise<Signal | undefined> {
    if (scope.cancel.isCancelled) throw new Cancelled();
    if (++this.stepCount > this.opts.maxSteps) {
      throw new Raised(errorMap('ResourceLimitError', `step limit of ${this.opts.maxSteps} steps exceeded`), step.name, false);
    }
    this.opts.onStep?.(step.name);
    try {
      return await this.execStepBody(step, scope);
    } catch (e) {
      if (e instanceof Raised && e.step === undefined) e.step = step.name;
      if (e instanceof WorkflowDefinitionError && e.step === undefined) throw new WorkflowDefinitionError(e.message, step.name);
      if (e instanceof UnsupportedError && e.step === undefined) throw new UnsupportedError(e.message, step.name);
      throw e;
    }
  }

  private async execStepBody(step: Step, scope: Scope): Promise<Signal | undefined> {
    const name = step.name;
    switch (step.kind) {
      case 'assign':
        for (const a of step.assignments) {
          // No `await` between evaluating and writing unless evaluation itself is async (see evaluate()).
          const v = this.evalValue(a.value, scope, name);
          const done = andThen(v, (x) => this.assign(a.target, clone(x), scope, name));
          if (done instanceof Promise) await done;
        }
        return jump(step.next);
      case 'call': {
        const args = step.args === undefined ? newMap() : await this.evalValue(step.args, scope, name);
        const result = await this.callNamed(step.call, args as WfMap, scope, name);
        if (step.result !== undefined) scope.assign(step.result, clone(result), name);
        return jump(step.next);
      }
      case 'switch':
        for (const c of step.conditions) {
          const v = await this.evalValue(c.condition, scope, name);
          if (typeof v !== 'boolean') throw raise('TypeError', `switch condition must be a boolean, got ${typeName(v)}`);
          if (!v) continue;
          if (c.body) {
            const sig = await this.execStepBody(c.body, scope);
            if (sig) return sig;
          }
          return jump(c.next ?? step.next);
        }
        return jump(step.next);
      case 'for': {
        const sig = await this.execFor(step.loop, scope, name);
        return sig ?? jump(step.next);
      }
      case 'parallel':
        await this.execParallel(step, scope);
        return jump(step.next);
      case 'try':
        return (await this.execTry(step, scope)) ?? jump(step.next);
      case 'raise':
        throw new Raised(clone(await this.evalValue(step.value, scope, name)), name);
      case 'return':
        return { k: 'return', v: await this.evalValue(step.value, scope, name) };
      case 'steps':
        return (await this.execList(step.steps, scope)) ?? jump(step.next);
      case 'jump':
        return jump(step.next);
    }
  }

  /** Iterates `in` or `range` lazily (ranges can be large; the step limit still applies). */
  private async *iterate(loop: ForLoop, scope: Scope, step: string): AsyncGenerator<Value> {
    if (loop.in !== undefined) {
      const items = await this.evalValue(loop.in, scope, step);
      if (!Array.isArray(items)) {
        throw raise('TypeError', `for "in" must be a list, got ${typeName(items)}${isMap(items) ? ' (use keys(map) to iterate a map)' : ''}`);
      }
      yield* items;
      return;
    }
    const r = await this.evalValue(loop.range ?? null, scope, step);
    if (!Array.isArray(r) || r.length !== 2 || !r.every(isNumber)) {
      throw raise('TypeError', 'for "range" must be a list of two numbers [start, end]');
    }
    const [a, b] = r as (bigint | number)[];
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      for (let i = a; i <= b; i++) yield i;
    } else {
      for (let i = Number(a); i <= Number(b); i++) yield i;
    }
  }

  private async execFor(loop: ForLoop, scope: Scope, step: string): Promise<Signal | undefined> {
    const loopScope = new Scope('loop', scope, scope.cancel);
    let index = 0n;
    for await (const item of this.iterate(loop, scope, step)) {
      loopScope.vars.set(loop.value, item);
      if (loop.index !== undefined) loopScope.vars.set(loop.index, index);
      index++;
      const sig = await this.execList(loop.steps, loopScope);
      if (sig === undefined || sig.k === 'continue') continue;
      if (sig.k === 'break') break;
      if (sig.k === 'jump') throw new WorkflowDefinitionError(`cannot jump to "${sig.target}" out of a for loop`, step);
      return sig;
    }
    return undefined;
  }

  private async execParallel(step: Extract<Step, { kind: 'parallel' }>, scope: Scope): Promise<void> {
    const name = step.name;
    for (const v of step.shared) {
      if (!scope.has(v)) throw new WorkflowDefinitionError(`shared variable "${v}" must be assigned before the parallel step`, name);
    }
    let limit = this.opts.defaultConcurrency;
    if (step.concurrencyLimit !== undefined) {
      const l = await this.evalValue(step.concurrencyLimit, scope, name);
      if (typeof l !== 'bigint' || l < 1n) throw raise('ValueError', `concurrency_limit must be a positive integer, got ${typeName(l)}`);
      limit = Number(l);
    }
    const shared = new Set(step.shared);
    const cancel = new CancelToken(scope.cancel);
    type Job = { id: string; run: (s: Scope) => Promise<Signal | undefined> };
    const jobs: (() => Job)[] = [];
    if (step.branches) {
      for (const b of step.branches) jobs.push(() => ({ id: b.name, run: (s) => this.execList(b.steps, s) }));
    }
    // Parallel-for items are computed up front: every iteration needs its own scope.
    const items: Value[] = [];
    if (step.loop) for await (const item of this.iterate(step.loop, scope, name)) items.push(item);
    const loop = step.loop;
    if (loop) {
      items.forEach((item, i) =>
        jobs.push(() => ({
          id: String(i),
          run: (s) => {
            s.vars.set(loop.value, clone(item));
            if (loop.index !== undefined) s.vars.set(loop.index, BigInt(i));
            return this.execList(loop.steps, s);
          },
        })),
      );
    }

    const failures: { id: string; error: Raised }[] = [];
    let fatal: unknown;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length && !cancel.isCancelled) {
        const job = (jobs[next++] as () => Job)();
        const branchScope = new Scope('branch', scope, cancel, shared);
        try {
          const sig = await job.run(branchScope);
          if (sig?.k === 'return') {
            throw new WorkflowDefinitionError('"return" is not allowed inside a parallel branch or iteration', name);
          }
          if (sig?.k === 'break') throw new WorkflowDefinitionError('"next: break" is not supported in a parallel for loop', name);
          if (sig?.k === 'jump') throw new WorkflowDefinitionError(`cannot jump to "${sig.target}" out of a parallel branch`, name);
        } catch (e) {
          if (e instanceof Cancelled) continue;
          if (e instanceof Raised && e.catchable) {
            failures.push({ id: job.id, error: e });
            if (!step.continueAll) cancel.cancelled = true;
          } else {
            fatal ??= e;
            cancel.cancelled = true;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
    if (fatal !== undefined) throw fatal;
    if (scope.cancel.isCancelled) throw new Cancelled();
    if (failures.length === 0) return;
    if (!step.continueAll) throw (failures[0] as { error: Raised }).error;
    const branches = failures.map((f) => newMap([['id', f.id], ['error', f.error.value]]));
    throw new Raised(
      errorMap('UnhandledBranchError', `${failures.length} of ${jobs.length} parallel branch(es)/iteration(s) raised an unhandled error`, { branches }),
      name,
    );
  }

  private async resolveRetry(raw: Value, scope: Scope, step: string): Promise<RetryPolicy> {
    const p = await this.evalValue(raw, scope, step);
    if (!isMap(p)) throw raise('TypeError', `retry policy must be a map, got ${typeName(p)}`);
    const pred = p.predicate;
    let predicate: string;
    if (pred instanceof FunctionRef) predicate = pred.name;
    else if (typeof pred === 'string' && (this.wf.subworkflows.has(pred) || getStdFunction(pred))) predicate = pred;
    else throw new WorkflowDefinitionError('retry "predicate" must reference a function, e.g. ${http.default_retry_predicate} or ${my_subworkflow}', step);
    const num = (v: Value | undefined, what: string, dflt: number): number => {
      if (v === undefined || v === null) return dflt;
      if (!isNumber(v) || Number(v) < 0) throw raise('ValueError', `retry ${what} must be a non-negative number`);
      return Number(v);
    };
    const backoff = p.backoff === undefined || p.backoff === null ? newMap() : p.backoff;
    if (!isMap(backoff)) throw raise('TypeError', 'retry backoff must be a map');
    if (p.max_retries !== undefined && typeof p.max_retries !== 'bigint') throw raise('TypeError', 'retry max_retries must be an integer');
    return {
      predicate,
      maxRetries: num(p.max_retries, 'max_retries', 0),
      initialDelay: num(backoff.initial_delay, 'initial_delay', 1),
      maxDelay: num(backoff.max_delay, 'max_delay', 60),
      multiplier: num(backoff.multiplier, 'multiplier', 1.25),
    };
  }

  private async execTry(step: Extract<Step, { kind: 'try' }>, scope: Scope): Promise<Signal | undefined> {
    const name = step.name;
    const policy = step.retry ? await this.resolveRetry(step.retry.raw, scope, name) : undefined;
    let attempt = 0;
    let delay = policy?.initialDelay ?? 0;
    for (;;) {
      try {
        return step.body.length === 1 && step.body[0]?.name === name
          ? await this.execStepBody(step.body[0], scope)
          : await this.execList(step.body, scope);
      } catch (e) {
        if (!(e instanceof Raised) || !e.catchable) throw e;
        if (policy && attempt < policy.maxRetries) {
          const retry = await this.callPositional(policy.predicate, [e.value], scope, name);
          if (typeof retry !== 'boolean') throw raise('TypeError', `retry predicate "${policy.predicate}" must return a boolean, got ${typeName(retry)}`);
          if (retry) {
            attempt++;
            await this.opts.std.sleep(delay * 1000);
            delay = Math.min(delay * policy.multiplier, policy.maxDelay);
            continue;
          }
        }
        if (!step.except) throw e;
        if (step.except.as !== undefined) scope.assign(step.except.as, clone(e.value), name);
        return this.execList(step.except.steps, scope);
      }
    }
  }
}
