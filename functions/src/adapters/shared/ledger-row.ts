/**
 * A ledger row as either warehouse returns it, back to a LedgerEntry: counts as numbers (both return
 * integers as text or bigint), absent values as null.
 */
import { LEDGER_COLUMNS, type LedgerEntry } from '../../domain/ledger.js';

export function ledgerRow(row: Record<string, unknown>): LedgerEntry {
  const out: Record<string, unknown> = {};
  for (const c of LEDGER_COLUMNS) {
    const v = row[c.name];
    out[c.name] = v === null || v === undefined ? null : c.kind === 'integer' ? Number(v) : String(v);
  }
  return out as unknown as LedgerEntry;
}
