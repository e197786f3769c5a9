/**
 * The `taxi-elt` command line. Each command lives in its own module; this file wires them and turns
 * errors into one line on stderr and an exit code (0 ok, 2 bad arguments, 3 not published, 1 other).
 */
import { Command, CommanderError } from 'commander';
import { messageOf } from '../domain/errors.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { registerDemo } from './demo.js';
import { registerLanding } from './landing.js';
import { registerPlan } from './plan.js';
import { registerQuery } from './query.js';
import { registerRun } from './run.js';
import { registerBackfill } from './backfill.js';
import { registerSchedule } from './schedule.js';
import { registerReport } from './report.js';
import { registerStatus } from './status.js';
import { registerWorkflows } from './workflows.js';

/** Build the program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('taxi-elt')
    .description('NYC taxi ELT: load TLC trip months into a warehouse (embedded DuckDB, or BigQuery on GCP)')
    .option('--verbose', 'print stack traces of errors')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n')[0] + '\n') });
  registerRun(program);
  registerQuery(program);
  registerPlan(program);
  registerBackfill(program);
  registerLanding(program);
  registerWorkflows(program);
  registerSchedule(program);
  registerStatus(program);
  registerReport(program);
  registerDemo(program);
  const oneLine = { writeErr: (s: string) => process.stderr.write(s.split('\n')[0] + '\n') };
  const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((c) => [c, ...all(c.commands)]);
  for (const cmd of all(program.commands)) cmd.exitOverride().configureOutput(oneLine);
  return program;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a bad argument.
      return err.exitCode === 0 ? EXIT.ok : EXIT.badArguments;
    }
    process.stderr.write(`error: ${messageOf(err)}\n`);
    if (program.opts().verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}
