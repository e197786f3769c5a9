/**
 * Header check: the file's header must name exactly the dataset's columns, in any order.
 */
import type { Dataset } from './datasets.js';
import { BadSourceError } from './errors.js';

/**
 * Map a header line to the dataset's canonical column names, in the file's order. Names match
 * case-insensitively (the TLC has changed capitalisation between years); anything else is schema drift.
 * @throws BadSourceError listing unknown, missing and repeated columns
 */
export function mapHeader(dataset: Dataset, headerLine: string): string[] {
  const names = headerLine
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((n) => n.trim().replace(/^"(.*)"$/, '$1'));
  const canonical = new Map(dataset.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const seen = new Set<string>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  const mapped: string[] = [];
  for (const name of names) {
    const hit = canonical.get(name.toLowerCase());
    if (!hit) unknown.push(name);
    else if (seen.has(hit)) repeated.push(name);
    else seen.add(hit);
    mapped.push(hit ?? name);
  }
  const missing = dataset.columns.map((c) => c.name).filter((n) => !seen.has(n));
  if (unknown.length || missing.length || repeated.length) {
    const parts = [
      unknown.length ? `unknown column(s) ${unknown.map((n) => JSON.stringify(n)).join(', ')}` : '',
      missing.length ? `missing column(s) ${missing.join(', ')}` : '',
      repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    throw new BadSourceError(`schema drift in the ${dataset.taxi} header: ${parts.join('; ')}`);
  }
  return mapped;
}

/**
 * The 1-based field position of each dataset column in a file whose header mapped to `fileColumns`.
 * @throws Error for a column the header lacks (mapHeader has already refused such a file)
 */
export function fieldPositions(ds: Dataset, fileColumns: readonly string[]): (column: { name: string }) => number {
  const position = new Map(fileColumns.map((name, i) => [name, i + 1]));
  return (c) => {
    const p = position.get(c.name);
    if (p === undefined) throw new Error(`column ${c.name} is not in the ${ds.taxi} file's header`);
    return p;
  };
}
