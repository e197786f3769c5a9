/**
 * `unique_row_id` computed in plain TypeScript, independently of either warehouse: md5 of the row's
 * values in the dataset's canonical order and canonical form (integers as digits, decimals with nine
 * places, times to the microsecond, NULL as empty), joined by commas.
 */
import { createHash } from 'node:crypto';
import { dataset, type Taxi } from '../../functions/src/domain/datasets.js';

function decimal9(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').padEnd(9, '0').slice(0, 9);
  return `${m[1] && /[1-9]/.test(int + frac) ? '-' : ''}${int}.${frac}`;
}

/** The canonical text of a row given as CSV field texts by canonical column name (absent or '' = NULL). */
export function canonicalText(taxi: Taxi, values: Record<string, string | undefined>): string {
  return dataset(taxi)
    .columns.map((c) => {
      const v = values[c.name];
      if (v === undefined || v === '') return '';
      switch (c.kind) {
        case 'integer':
          return String(BigInt(decimal9(v).replace(/\.0+$/, '')));
        case 'numeric':
          return decimal9(v);
        case 'timestamp':
          return `${v}.000000`;
        case 'string':
          return v;
      }
    })
    .join(',');
}

/** The id of a row given as CSV field texts by canonical column name. */
export function rowId(taxi: Taxi, values: Record<string, string | undefined>): string {
  return createHash('md5').update(canonicalText(taxi, values)).digest('hex');
}

/** The id of a CSV line under `header` (comma-separated names). */
export function lineId(taxi: Taxi, header: string, line: string): string {
  const names = header.split(',');
  const fields = line.split(',');
  return rowId(taxi, Object.fromEntries(names.map((n, i) => [n, fields[i]])));
}
