/**
 * `taxi-elt workflows run <file.yaml>`: any Cloud Workflows file on the local stack.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../domain/errors.js';
import { executionError, runWorkflowOnStack, startLocalStack } from '../local/run-month.js';
import { EXIT } from './exit-codes.js';
import { configFrom } from './options.js';

export function registerWorkflows(program: Command): void {
  const workflows = program.command('workflows').description('Cloud Workflows files, run locally');
  workflows
    .command('run')
    .description('run a workflow file with the local interpreter against the functions served on loopback')
    .argument('<file>', 'the workflow YAML')
    .option('--data <json>', 'the execution argument, as JSON', '{}')
    .option('--source <url>', 'tlc (default), mirror, or a URL template (env TAXI_SOURCE_URL)')
    .option('--data-dir <dir>', 'lake and warehouse folder')
    .action(async (file: string, opts: { data: string; source?: string; dataDir?: string }) => {
      let args: unknown;
      try {
        args = JSON.parse(opts.data);
      } catch (err) {
        throw new BadRequestError(`--data is not JSON: ${(err as Error).message}`);
      }
      const path = resolve(file);
      const config = configFrom(opts);
      const stack = await startLocalStack(config);
      try {
        const result = await runWorkflowOnStack({ ...config, workflowsDir: config.workflowsDir ?? resolve(path, '..') }, stack, path, args);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } catch (err) {
        process.stderr.write(`error: execution failed: ${executionError(err)}\n`);
        process.exitCode = EXIT.failure;
      } finally {
        await stack.close();
      }
    });
}
