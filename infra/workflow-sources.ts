/**
 * Workflow definitions read from `workflows/*.yaml` at synth time, and the escaping that keeps them
 * byte-for-byte through Terraform: in Terraform JSON every string is a template, so the Workflows
 * expressions `${...}` (and any `%{`) must be written `$${...}` / `%%{` to reach the API unchanged.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One workflow definition file. */
export interface WorkflowSource {
  /** File name without extension, also the workflow name: `ingest_month`, `backfill`. */
  readonly name: string;
  readonly file: string;
  /** The file's exact text. */
  readonly contents: string;
}

/** The workflow that runs one (taxi, month); the scheduler jobs and backfill start it. */
export const INGEST_WORKFLOW = 'ingest_month';
/** The workflow a file landed under the lake's `landing/` prefix starts (through the Eventarc trigger). */
export const LAND_FILE_WORKFLOW = 'land_file';
/** The workflow that runs a range of months as child executions of {@link INGEST_WORKFLOW}. */
export const BACKFILL_WORKFLOW = 'backfill';

/** Every `*.yaml` / `*.yml` file of `dir`, sorted by name; empty when the folder does not exist. */
export function readWorkflowSources(dir: string): WorkflowSource[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      return { name: basename(f).replace(/\.ya?ml$/, ''), file, contents: readFileSync(file, 'utf8') };
    });
}

/** Escape text so that Terraform's template evaluation yields it unchanged. */
export function terraformLiteral(text: string): string {
  // Replacer functions: in a replacement string `$$` would itself mean one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Inverse of {@link terraformLiteral}: what Terraform makes of an escaped string without interpolations. */
export function fromTerraformLiteral(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}
