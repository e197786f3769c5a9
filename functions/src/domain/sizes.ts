/**
 * Sizes as DuckDB settings spell them (`512MB`, `2GiB`): decimal units (KB, MB, GB, TB) and binary ones
 * (KiB ... TiB), any case. One grammar for the setting's check in the config and its use by the adapter.
 */

const UNIT_BYTES: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A size setting in bytes; null when unset or not a size. */
export function sizeBytes(setting: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b)$/i.exec(setting ?? '');
  return m ? Number(m[1]) * UNIT_BYTES[m[2]!.toLowerCase()]! : null;
}
