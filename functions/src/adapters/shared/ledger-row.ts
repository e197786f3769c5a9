/**
 * A ledger row as either warehouse returns it, back to a LedgerEntry: counts as numbers (both return
 * integers as text or bigint), absent values as null.
 */
import { LEDGER_COLUMNS, type LedgerEntry } from '../../domain/ledger.js';
import { loadTemplate, marker, renderTemplate, splitStatements } from './sql-template.js';

/** How a dialect writes the ledger's columns: its type per kind, a bound value, an instant read as ISO text. */
export interface LedgerDialect {
  dialect: 'duckdb' | 'bigquery';
  types: Record<'string' | 'integer' | 'instant', string>;
  ident: (name: string) => string;
  value: (name: string, type: string) => string;
  isoText: (column: string) => string;
}

/** The ledger statements (`sql/<dialect>/05_ledger.sql`) of a table, by their `-- name:`. */
export function ledgerStatements(d: LedgerDialect, table: string): Map<string, string> {
  const type = (kind: string) => d.types[kind as keyof LedgerDialect['types']];
  const slots = {
    ledger_table: table,
    ledger_definitions: LEDGER_COLUMNS.map((c) => `  ${d.ident(c.name)} ${type(c.kind)}`).join(',\n'),
    ledger_names: LEDGER_COLUMNS.map((c) => d.ident(c.name)).join(', '),
    ledger_values: LEDGER_COLUMNS.map((c) => d.value(c.name, type(c.kind))).join(', '),
    ledger_read: LEDGER_COLUMNS.map((c) => (c.kind === 'instant' ? `${d.isoText(d.ident(c.name))} AS ${d.ident(c.name)}` : d.ident(c.name))).join(', '),
  };
  const out = new Map<string, string>();
  for (const sql of splitStatements(renderTemplate(loadTemplate(d.dialect, '05_ledger'), slots))) {
    const name = marker(sql, 'name');
    if (name) out.set(name, sql);
  }
  return out;
}

export function ledgerRow(row: Record<string, unknown>): LedgerEntry {
  const out: Record<string, unknown> = {};
  for (const c of LEDGER_COLUMNS) {
    const v = row[c.name];
    out[c.name] = v === null || v === undefined ? null : c.kind === 'integer' ? Number(v) : String(v);
  }
  return out as unknown as LedgerEntry;
}
