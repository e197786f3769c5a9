/**
 * The ledger row of one step attempt: what was asked, when, and what came of it — an answer or a
 * one-line error — appended by the step function itself, so runs on GCP are recorded too. A ledger
 * that cannot be written is logged and does not change the step's outcome: the month's load matters more
 * than its record.
 */
import { messageOf } from '../domain/errors.js';
import { outcomeFields, type LedgerEntry } from '../domain/ledger.js';
import type { Ledger } from '../ports/ledger.js';
import { jsonLog, type Log, type MonthRequest } from './http.js';

const NO_OUTCOME = {
  rows_in_file: null,
  rows_loaded: null,
  rows_quarantined: null,
  quarantined: null,
  inserted: null,
  deleted: null,
  bytes: null,
  source_url: null,
  etag: null,
  sha256: null,
};

/** Run `work` as step `step` of request `req`, appending its ledger row once it ends. */
export async function recorded<T>(ledger: Ledger | undefined, step: string, req: MonthRequest, work: () => Promise<T>, log: Log = jsonLog): Promise<T> {
  const startedAt = new Date().toISOString();
  const base = { execution_id: req.run ?? 'adhoc', workflow: req.workflow ?? 'ingest', taxi: req.taxi, month: req.month, step, started_at: startedAt };
  const append = async (entry: LedgerEntry) => {
    if (!ledger) return;
    try {
      await ledger.append(entry);
    } catch (err) {
      log('WARNING', `could not append to the run ledger: ${messageOf(err)}`, { step, request: req });
    }
  };
  try {
    const result = await work();
    await append({ ...base, ended_at: new Date().toISOString(), ...outcomeFields(result), error: null });
    return result;
  } catch (err) {
    await append({ ...base, ended_at: new Date().toISOString(), status: 'failed', ...NO_OUTCOME, error: messageOf(err) });
    throw err;
  }
}
