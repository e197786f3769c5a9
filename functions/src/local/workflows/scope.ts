/**
 * Variable scopes.
 *
 * Cloud Workflows scoping rules implemented here:
 * - each subworkflow call has its own frame (no access to the caller's variables);
 * - a `for` loop opens a scope: the loop variables and any variable first
 *   assigned inside the loop live there and disappear after the loop, while
 *   variables that existed before the loop are updated in place;
 * - a `parallel` branch/iteration opens a scope that can read the parent's
 *   variables but may only write those listed in `shared`; variables it creates
 *   are local to the branch.
 */
import { WorkflowDefinitionError } from './errors.js';
import type { Value } from './values.js';

/** Cooperative cancellation for parallel branches (JS promises cannot be killed). */
export class CancelToken {
  cancelled = false;
  constructor(private readonly parent?: CancelToken) {}
  get isCancelled(): boolean {
    return this.cancelled || (this.parent?.isCancelled ?? false);
  }
}

export type ScopeKind = 'frame' | 'loop' | 'branch';

export class Scope {
  readonly vars = new Map<string, Value>();

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
    readonly cancel: CancelToken,
    /** For `branch` scopes: parent variables this branch may write. */
    readonly shared: ReadonlySet<string> = new Set(),
  ) {}

  /** Value of a variable, or `undefined` when it is not defined (null is a value). */
  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) return s.vars.get(name) as Value;
    }
    return undefined;
  }

  /** True when `name` is defined in this scope chain. */
  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /**
   * Finds the scope owning `name`, checking that no parallel-branch boundary
   * is crossed for a non-shared variable. Returns undefined when not defined.
   */
  owner(name: string, step: string): Scope | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) return s;
      if (s.kind === 'branch' && s.parent?.has(name) && !s.shared.has(name)) {
        throw new WorkflowDefinitionError(
          `variable "${name}" is assigned inside a parallel branch but is not listed in "shared"`,
          step,
        );
      }
    }
    return undefined;
  }

  /** Assigns a variable: updates it where it is defined, else creates it here. */
  assign(name: string, value: Value, step: string): void {
    (this.owner(name, step) ?? this).vars.set(name, value);
  }
}
