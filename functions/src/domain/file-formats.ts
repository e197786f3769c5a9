/**
 * The file formats a source can publish, as data: the extension that names them in URLs and lake keys.
 * Which format a source serves follows from its URL template's extension.
 */

/** Formats the pipeline reads. */
export const FILE_FORMATS = ['parquet', 'csv'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** The file name extension of each format, as the TLC and the mirror write it. */
export const FORMAT_EXTENSIONS: Record<FileFormat, string> = {
  parquet: '.parquet',
  csv: '.csv.gz',
};

/** The format a file name or URL path ends with, or null. */
export function formatOfPath(path: string): FileFormat | null {
  const lower = path.toLowerCase();
  return FILE_FORMATS.find((f) => lower.endsWith(FORMAT_EXTENSIONS[f])) ?? null;
}

/**
 * The formats whose file extract inflates to verify it, and the extension of that inflated text. A
 * warehouse that reads local files can stage from the text instead of inflating the file a second time
 * (DuckDB reads gzip on one thread: 0.27 s of a 1M-line month's 1.0 s stage, against 0.06 s for the text).
 */
export const PLAIN_TEXT_EXTENSIONS: Partial<Record<FileFormat, string>> = {
  csv: '.csv',
};

/**
 * The most compressed bytes one line of a gzip CSV takes, about: the TLC's lines (85-110 characters)
 * take 12-22 bytes compressed. A file larger than this many bytes per line allowed surely has more lines,
 * so extract knows from its size alone when a month is too large to be staged from its text.
 */
export const MAX_COMPRESSED_LINE_BYTES = 60;
