/**
 * The TLC taxi zone lookup: the dimension every trip table's location ids point into (265 zones). The
 * pipeline loads it like a month — downloaded, verified, landed untouched in the lake, loaded into the
 * warehouse — and reloads it when the file at the source changes. Pure data and the file's check.
 */
import type { ColumnKind } from './datasets.js';
import { BadSourceError } from './errors.js';

/** A column of the zone table, with its meaning. */
export interface ZoneColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly description: string;
}

/** The zone table: where it lands, what it holds. */
export const ZONES = {
  table: 'taxi_zone_lookup',
  fileName: 'taxi_zone_lookup.csv',
  /** Where the raw file lands in the lake. */
  lakeKey: 'raw/misc/taxi_zone_lookup.csv',
  /** The load record: which file (sha256) the table holds. */
  recordKey: 'loads/misc/taxi_zone_lookup.json',
  /** The largest file accepted: the real one is 12 KiB. */
  maxBytes: 1024 * 1024,
  description: 'The TLC taxi zones: the areas PULocationID / DOLocationID of every trip table point to, with their borough, name and service zone; loaded by nyc-taxi-elt from the TLC\'s taxi_zone_lookup.csv',
  columns: [
    { name: 'LocationID', kind: 'integer', description: 'TLC taxi zone id: the value of PULocationID / DOLocationID in the trip tables' },
    { name: 'Borough', kind: 'string', description: 'Borough of the zone (Manhattan, Brooklyn, Queens, Bronx, Staten Island), EWR for Newark Airport, Unknown for ids 264 and 265' },
    { name: 'Zone', kind: 'string', description: 'Name of the zone' },
    { name: 'service_zone', kind: 'string', description: 'Service area: Yellow Zone (Manhattan below 96th St. and the airports, where yellow cabs take street hails), Boro Zone (where green taxis may), Airports, EWR, N/A' },
  ] as readonly ZoneColumn[],
} as const;

/** One zone. */
export interface Zone {
  LocationID: number;
  Borough: string;
  Zone: string;
  service_zone: string;
}

/** Fields of one CSV line (RFC 4180 quoting, no line breaks inside fields). */
function fields(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
    } else {
      const c = line.indexOf(',', i);
      out.push(line.slice(i, c < 0 ? line.length : c));
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') return null;
    i++;
  }
}

/**
 * Check a zone file and read its zones: the header names the four columns (any case), every line has
 * four fields, ids are distinct positive integers.
 * @throws BadSourceError with one line naming the first problem
 */
export function parseZones(text: string): Zone[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  const expected = ZONES.columns.map((c) => c.name);
  const header = lines.length ? fields(lines[0]!) : null;
  if (!header || header.length !== expected.length || header.some((h, i) => h.trim().toLowerCase() !== expected[i]!.toLowerCase())) {
    throw new BadSourceError(`${ZONES.fileName}: the header must be ${expected.join(',')}, got ${JSON.stringify((lines[0] ?? '').slice(0, 120))}`);
  }
  const seen = new Set<number>();
  const zones = lines.slice(1).map((line, n) => {
    const f = fields(line);
    if (!f || f.length !== expected.length) throw new BadSourceError(`${ZONES.fileName} line ${n + 2}: expected ${expected.length} fields, got ${JSON.stringify(line.slice(0, 120))}`);
    const id = /^\d{1,9}$/.test(f[0]!.trim()) ? Number(f[0]!.trim()) : NaN;
    if (!(id > 0)) throw new BadSourceError(`${ZONES.fileName} line ${n + 2}: LocationID must be a positive integer, got ${JSON.stringify(f[0])}`);
    if (seen.has(id)) throw new BadSourceError(`${ZONES.fileName} line ${n + 2}: LocationID ${id} appears twice`);
    seen.add(id);
    return { LocationID: id, Borough: f[1]!, Zone: f[2]!, service_zone: f[3]! };
  });
  if (zones.length === 0) throw new BadSourceError(`${ZONES.fileName}: no zones after the header`);
  return zones;
}
