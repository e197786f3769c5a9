/**
 * Error types of the local Cloud Workflows interpreter.
 *
 * Three families, kept apart on purpose:
 * - {@link Raised}: a Workflows error value in flight (from `raise`, a failed
 *   expression, an HTTP error...). It is catchable by `try/except` and leaves
 *   {@link runWorkflow} as a {@link WorkflowError}.
 * - {@link WorkflowDefinitionError}: the YAML is not a valid/supported workflow
 *   (the equivalent of a deployment error). Never catchable by `except`.
 * - {@link UnsupportedError}: a construct or call the local interpreter cannot
 *   execute. Never catchable, so nothing is silently skipped.
 */
import { newMap, toJs, type Value, type WfMap } from './values.js';

/** Standard Workflows error tags used by the interpreter. */
export type ErrorTag =
  | 'KeyError'
  | 'TypeError'
  | 'IndexError'
  | 'ValueError'
  | 'ZeroDivisionError'
  | 'RecursionError'
  | 'HttpError'
  | 'ConnectionError'
  | 'ConnectionFailedError'
  | 'TimeoutError'
  | 'UnhandledBranchError'
  | 'ResourceLimitError'
  | 'SystemError';

/** Internal: a Workflows error value being propagated through the steps. */
export class Raised extends Error {
  constructor(
    readonly value: Value,
    /** Step where the error was raised (first step that saw it). */
    public step?: string,
    /** Resource-limit errors cannot be caught by `except`, as in Cloud Workflows. */
    readonly catchable = true,
  ) {
    super(errorMessage(value));
    this.name = 'Raised';
  }
}

/** Builds a Workflows error map `{message, tags, ...extra}`. */
export function errorMap(tag: ErrorTag | ErrorTag[], message: string, extra?: Record<string, Value>): WfMap {
  const m = newMap();
  m.message = message;
  m.tags = Array.isArray(tag) ? [...tag] : [tag];
  if (extra) for (const [k, v] of Object.entries(extra)) m[k] = v;
  return m;
}

/** Shorthand: a {@link Raised} carrying `{message, tags: [tag]}`. */
export function raise(tag: ErrorTag, message: string, extra?: Record<string, Value>): Raised {
  return new Raised(errorMap(tag, message, extra));
}

function errorMessage(value: Value): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && 'message' in value) {
    const m = (value as WfMap).message;
    const tags = (value as WfMap).tags;
    const prefix = Array.isArray(tags) && tags.length > 0 ? `${tags.join(', ')}: ` : '';
    return `${prefix}${typeof m === 'string' ? m : JSON.stringify(toJs(m ?? null))}`;
  }
  try {
    return JSON.stringify(toJs(value), (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(value);
  }
}

/**
 * An error raised by the workflow and not handled by it. `value` is the
 * Workflows error value converted to plain JS: usually a map such as
 * `{message, tags: ['HttpError'], code, headers, body}`, or whatever was given
 * to `raise` (string or map).
 */
export class WorkflowError extends Error {
  /** The Workflows error value (plain JS). */
  readonly value: unknown;
  /** Name of the step that raised the error, when known. */
  readonly step: string | undefined;

  constructor(value: unknown, step?: string) {
    const v = value as { message?: unknown; tags?: unknown } | string | null;
    const msg =
      typeof v === 'string'
        ? v
        : v && typeof v === 'object' && 'message' in v
          ? `${Array.isArray(v.tags) ? `${v.tags.join(', ')}: ` : ''}${String(v.message)}`
          : JSON.stringify(value);
    super(step ? `${msg} (in step "${step}")` : msg);
    this.name = 'WorkflowError';
    this.value = value;
    this.step = step;
  }

  /** Tags of the error map (empty for string errors). */
  get tags(): string[] {
    const v = this.value as { tags?: unknown } | null;
    return v && typeof v === 'object' && Array.isArray(v.tags) ? (v.tags as string[]) : [];
  }
}

/** The workflow definition is invalid or uses syntax the interpreter does not accept. */
export class WorkflowDefinitionError extends Error {
  constructor(message: string, readonly step?: string) {
    super(step ? `${message} (in step "${step}")` : message);
    this.name = 'WorkflowDefinitionError';
  }
}

/** A construct/call that is valid Cloud Workflows but not available locally. */
export class UnsupportedError extends Error {
  constructor(message: string, readonly step?: string) {
    super(step ? `${message} (in step "${step}")` : message);
    this.name = 'UnsupportedError';
  }
}

/** Converts an internal {@link Raised} to the public {@link WorkflowError}. */
export function toWorkflowError(e: Raised): WorkflowError {
  return new WorkflowError(toJs(e.value), e.step);
}
