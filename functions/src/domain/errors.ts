/**
 * Error kinds the pipeline distinguishes. Each maps to one HTTP status and one CLI exit code at the
 * edges; the message is always one line, fit to show a user without a stack trace.
 */

/** What went wrong, as the edges need it: HTTP status and whether a retry can help. */
export type ErrorKind =
  | 'bad_request' // caller's input: 400, never retried
  | 'bad_source' // the published file is not what we expect (HTML, truncated, schema drift): 422
  | 'reconcile' // counts do not add up: 409, tables untouched
  | 'busy' // the month is held by another live execution, or our lease was lost: 409, not retried
  | 'unavailable' // a backend down after retries: 503 (the workflow may retry the call)
  | 'unreachable' // the source gave no answer within its retries or deadline: 424, not retried by the workflow (the step already retried)
  | 'internal'; // anything else: 500

/** An error whose message is meant for the user; `kind` decides the HTTP status and exit code. */
export class PipelineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message), options);
    this.name = 'PipelineError';
  }
}

/** Bad arguments or request bodies. */
export class BadRequestError extends PipelineError {
  constructor(message: string) {
    super('bad_request', message);
  }
}

/** The source file is not a complete gzip CSV with the expected header. */
export class BadSourceError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_source', message, options);
  }
}

/** A lease that was taken over (our holder stopped renewing in time): nothing may be committed. */
export class LeaseLostError extends PipelineError {
  constructor(message: string) {
    super('busy', message);
  }
}

/** HTTP status for each error kind. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  bad_source: 422,
  reconcile: 409,
  busy: 409,
  unavailable: 503,
  unreachable: 424,
  internal: 500,
};

/** Collapse whitespace so a message always prints as one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** The one-line message of anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return oneLine(err.message || err.name);
  return oneLine(String(err));
}
