/**
 * Where release files come from: the TLC's own Parquet feed (the default), the course's CSV mirror, or
 * any URL template with `{taxi}`, `{YYYY}` and `{MM}`. A plain URL without placeholders is a mirror-style
 * base (`{base}/{taxi}/{taxi}_tripdata_{YYYY}-{MM}.csv.gz`), so scripts written for the mirror keep working.
 */
import type { Taxi } from './datasets.js';
import { BadRequestError } from './errors.js';
import { FORMAT_EXTENSIONS, formatOfPath, type FileFormat } from './file-formats.js';
import type { Month } from './months.js';

/** The source presets, by name. */
export const SOURCE_PRESETS = {
  tlc: 'https://d37ci6vzurychx.cloudfront.net/trip-data/{taxi}_tripdata_{YYYY}-{MM}.parquet',
  mirror: 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/{taxi}/{taxi}_tripdata_{YYYY}-{MM}.csv.gz',
} as const;
export type SourcePreset = keyof typeof SOURCE_PRESETS;

/** The default source. */
export const DEFAULT_SOURCE: SourcePreset = 'tlc';

/** A resolved source: the URL template and the format its files are in. */
export interface Source {
  /** What the user gave (preset name, template or base URL), for messages. */
  readonly given: string;
  readonly template: string;
  readonly format: FileFormat;
}

const PLACEHOLDERS = ['{taxi}', '{YYYY}', '{MM}'] as const;

/**
 * Resolve `--source` / `TAXI_SOURCE_URL`.
 * @throws BadRequestError with one line saying what is wrong
 */
export function resolveSource(given: string): Source {
  const value = given.trim();
  if (value in SOURCE_PRESETS) {
    const template = SOURCE_PRESETS[value as SourcePreset];
    return { given: value, template, format: formatOfPath(template)! };
  }
  if (!/^https?:\/\/[^\s]+$/i.test(value) || !URL.canParse(value.replace(/[{}]/g, ''))) {
    throw new BadRequestError(
      `TAXI_SOURCE_URL (--source) must be ${Object.keys(SOURCE_PRESETS).map((p) => `"${p}"`).join(' or ')}, an http(s) URL template with {taxi}, {YYYY} and {MM}, or a mirror base URL, got ${JSON.stringify(given)}`,
    );
  }
  if (!value.includes('{')) {
    const template = `${value.replace(/\/+$/, '')}/{taxi}/{taxi}_tripdata_{YYYY}-{MM}${FORMAT_EXTENSIONS.csv}`;
    return { given: value, template, format: 'csv' };
  }
  const missing = PLACEHOLDERS.filter((p) => !value.includes(p));
  const unknown = (value.match(/\{[^}]*\}/g) ?? []).filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (missing.length || unknown.length) {
    throw new BadRequestError(
      `TAXI_SOURCE_URL (--source) template ${JSON.stringify(value)}: ${[missing.length ? `lacks ${missing.join(', ')}` : '', unknown.length ? `has unknown ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}`,
    );
  }
  const format = formatOfPath(new URL(value.replace(/[{}]/g, '')).pathname);
  if (!format) {
    throw new BadRequestError(
      `TAXI_SOURCE_URL (--source) template ${JSON.stringify(value)} must end with ${Object.values(FORMAT_EXTENSIONS).join(' or ')}: the file format follows the extension`,
    );
  }
  return { given: value, template: value, format };
}

/** The URL of one month's file. */
export function sourceFileUrl(source: Source, taxi: Taxi, month: Month): string {
  return source.template.replaceAll('{taxi}', taxi).replaceAll('{YYYY}', month.slice(0, 4)).replaceAll('{MM}', month.slice(5, 7));
}

/** Where each preset keeps the taxi zone lookup. */
export const ZONE_FILE_PRESETS: Readonly<Record<SourcePreset, string>> = {
  tlc: 'https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv',
  mirror: 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/misc/taxi_zone_lookup.csv',
};

/**
 * The URL of the taxi zone lookup beside a source's trip files: the preset's own, else `misc/` next to
 * the trip files' folder (the TLC's layout, `trip-data/` and `misc/` side by side) or, for the mirror's
 * layout (`{base}/{taxi}/...`), `{base}/misc/`.
 */
export function zoneFileUrl(source: Source): string {
  if (source.given in ZONE_FILE_PRESETS) return ZONE_FILE_PRESETS[source.given as SourcePreset];
  const prefix = source.template.slice(0, source.template.indexOf('{'));
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const perTaxiFolder = source.template.startsWith('{taxi}/', folder.length);
  const base = perTaxiFolder || new URL(folder).pathname === '/' ? folder : folder.replace(/[^/]+\/$/, '');
  return `${base}misc/taxi_zone_lookup.csv`;
}
