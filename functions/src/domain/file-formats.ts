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
