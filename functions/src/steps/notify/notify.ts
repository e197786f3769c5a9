/**
 * The notify step: tell a human that a load failed, through a webhook (Slack/Chat-style JSON POST).
 * The webhook URL comes from Secret Manager as an environment variable; without one it is a no-op,
 * so a deployment without alerting still runs.
 */
import { request } from 'undici';
import { z } from 'zod';
import { PipelineError } from '../../domain/errors.js';

/** What the workflow sends on failure. Loose on purpose: an alert must never fail on its own input. */
export const NotifyRequestSchema = z.object({
  workflow: z.string().max(200).optional(),
  execution: z.string().max(200).nullable().optional(),
  taxi: z.string().max(20).nullable().optional(),
  month: z.string().max(20).nullable().optional(),
  step: z.string().max(50).optional(),
  error: z.string().max(10_000),
});
export type NotifyRequest = z.infer<typeof NotifyRequestSchema>;

export interface NotifyDeps {
  /** Webhook URL, or null when alerting is not configured. */
  webhookUrl: string | null;
}

/** The one-line alert text. */
export function alertText(n: NotifyRequest): string {
  const what = [n.taxi, n.month].filter(Boolean).join(' ') || 'a load';
  return `nyc-taxi-elt: ${what} failed${n.step ? ` at ${n.step}` : ''}: ${n.error}${n.execution ? ` (execution ${n.execution})` : ''}`;
}

export async function notify(deps: NotifyDeps, n: NotifyRequest): Promise<{ status: 'sent' | 'disabled' }> {
  if (!deps.webhookUrl) return { status: 'disabled' };
  const res = await request(deps.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: alertText(n), ...n }),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  await res.body.dump();
  if (res.statusCode >= 300) throw new PipelineError('unavailable', `the alert webhook answered HTTP ${res.statusCode}`);
  return { status: 'sent' };
}
