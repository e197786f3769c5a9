/**
 * CLI exit codes and the mapping from errors to them.
 */
import { PipelineError } from '../domain/errors.js';

export const EXIT = { ok: 0, failure: 1, badArguments: 2, notPublished: 3 } as const;

/** Exit code for an error thrown by a command. */
export function exitCodeOf(err: unknown): number {
  return err instanceof PipelineError && err.kind === 'bad_request' ? EXIT.badArguments : EXIT.failure;
}
