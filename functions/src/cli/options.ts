/**
 * Shared option parsing: flags fold into the environment-shaped input of `parseConfig`, so the CLI
 * and the functions validate configuration the same way, once.
 */
import { parseConfig, type Config } from '../config.js';
import { TaxiSchema, type Taxi } from '../domain/datasets.js';
import { BadRequestError } from '../domain/errors.js';
import { MonthSchema, type Month } from '../domain/months.js';

/** Flags that map onto configuration variables. */
export interface ConfigFlags {
  source?: string;
  dataDir?: string;
}

/** parseConfig over the environment with flags taking precedence. */
export function configFrom(flags: ConfigFlags, env: Record<string, string | undefined> = process.env): Config {
  return parseConfig({
    ...env,
    ...(flags.source !== undefined ? { TAXI_SOURCE_URL: flags.source } : {}),
    ...(flags.dataDir !== undefined ? { TAXI_DATA_DIR: flags.dataDir } : {}),
  });
}

function first(error: { issues: { message: string }[] }): string {
  return error.issues[0]?.message ?? 'invalid value';
}

/** Validate `--taxi`. */
export function parseTaxi(value: unknown): Taxi {
  const r = TaxiSchema.safeParse(value);
  if (!r.success) throw new BadRequestError(`--taxi: ${first(r.error)}, got ${JSON.stringify(value)}`);
  return r.data;
}

/** Validate a `--month`-like flag. */
export function parseMonth(value: unknown, flag = '--month'): Month {
  const r = MonthSchema.safeParse(value);
  if (!r.success) throw new BadRequestError(`${flag}: ${first(r.error)}`);
  return r.data;
}
