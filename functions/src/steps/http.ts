/**
 * The HTTP edge shared by the step functions: JSON in, JSON out, requests validated with zod, errors
 * mapped to a status and a one-line `{"error"}` body. Stack traces go to the log, never to the caller.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { TaxiSchema } from '../domain/datasets.js';
import { HTTP_STATUS, PipelineError, messageOf } from '../domain/errors.js';
import { FILE_FORMATS } from '../domain/file-formats.js';
import { LANDING_PREFIX } from '../domain/landing.js';
import { LEDGER_WORKFLOWS } from '../domain/ledger.js';
import { MonthSchema } from '../domain/months.js';
import { outsideRequestDomain } from './outside-request-domain.js';

/** A key under the lake's landing prefix. */
export const LandingKeySchema = z
  .string({ error: () => `landing must be an object key under ${LANDING_PREFIX}` })
  .max(1024, { error: () => 'landing must be at most 1024 characters' })
  .refine((k) => k.startsWith(LANDING_PREFIX) && !k.split('/').some((p) => p === '..'), { error: () => `landing must be an object key under ${LANDING_PREFIX}` });

/** The execution id every step is told, for leases, job ids and the ledger. */
const RunSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: () => 'run must be 1-64 letters, digits, "_" or "-"' })
  .optional();

/** Which workflow the execution runs, for the run ledger. */
const WorkflowSchema = z.enum(LEDGER_WORKFLOWS, { error: () => `workflow must be ${LEDGER_WORKFLOWS.map((w) => `"${w}"`).join(', ')}` }).optional();

/** The body every step takes: which month of which dataset. Unknown keys are refused (typos). */
export const MonthRequestSchema = z.strictObject({
  taxi: TaxiSchema,
  month: MonthSchema,
  /** Which of the month's raw files: the configured source's format unless said (a landed file says its own). */
  format: z.enum(FILE_FORMATS, { error: () => `format must be ${FILE_FORMATS.map((f) => `"${f}"`).join(' or ')}` }).optional(),
  /** extract: take the month's file from this landed object instead of the source (stage and merge ignore it). */
  landing: LandingKeySchema.optional(),
  /** The calling execution; see MonthJob.run. */
  run: RunSchema,
  /** When the calling execution started (epoch ms): a load by an overlapping duplicate after it makes the month already_loaded. */
  since: z.number({ error: () => 'since must be epoch milliseconds' }).int({ error: () => 'since must be epoch milliseconds' }).positive({ error: () => 'since must be epoch milliseconds' }).optional(),
  workflow: WorkflowSchema,
});
export type MonthRequest = z.infer<typeof MonthRequestSchema>;

/** extract's other body: look at a landed object's name (accept, reject or ignore it), before its month is known. */
export const LandingRequestSchema = z.strictObject({
  // Any key an event names: one outside the landing prefix is answered `ignored`.
  landing: z.string({ error: () => 'landing must be an object key' }).min(1, { error: () => 'landing must be an object key' }).max(1024, { error: () => 'landing must be at most 1024 characters' }),
  run: RunSchema,
  workflow: WorkflowSchema,
});
export type LandingRequest = z.infer<typeof LandingRequestSchema>;

/** What a handler validates its body with: a zod schema, or a choice between them (any `safeParse`). */
export interface BodyParser<T> {
  safeParse(body: unknown): { success: true; data: T } | { success: false; error: z.ZodError };
}

/** One line for a failed zod parse: `path: message; ...`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? `${i.path.join('.')}: ` : '';
      const msg = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message;
      return `${where}${msg}`;
    })
    .join('; ');
}

/** Logger used by handlers; Cloud Logging reads JSON lines from stdout/stderr. */
export type Log = (severity: 'INFO' | 'WARNING' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;

export const jsonLog: Log = (severity, message, fields) => {
  const line = JSON.stringify({ severity, message, ...fields });
  if (severity === 'ERROR') console.error(line);
  else console.log(line);
};

/** Wrap a step as an HTTP function. */
export function jsonHandler<T>(name: string, schema: BodyParser<T>, run: (input: T) => Promise<unknown>, log: Log = jsonLog): HttpFunction {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).set('allow', 'POST').json({ error: `${name} takes POST with a JSON body` });
      return;
    }
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object' || Buffer.isBuffer(body)) {
      res.status(400).json({ error: `${name} needs a JSON object body (content-type: application/json)` });
      return;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      res.status(400).json({ error: `bad request: ${describeZodError(parsed.error)}` });
      return;
    }
    try {
      res.status(200).json(await outsideRequestDomain(() => run(parsed.data)));
    } catch (err) {
      const kind = err instanceof PipelineError ? err.kind : 'internal';
      const message = messageOf(err);
      log('ERROR', `${name} failed: ${message}`, { step: name, kind, stack: err instanceof Error ? err.stack : undefined, request: parsed.data });
      res.status(HTTP_STATUS[kind]).json({ error: message, kind });
    }
  };
}
