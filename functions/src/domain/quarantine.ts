/**
 * Quarantine reasons, in precedence order: a row gets the first reason that applies.
 */

export const QUARANTINE_REASONS = ['malformed', 'invalid_value', 'outside_month', 'duplicate'] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** Count of quarantined rows per reason. */
export type QuarantineCounts = Record<QuarantineReason, number>;

/** A zeroed count per reason. */
export function emptyQuarantineCounts(): QuarantineCounts {
  return { malformed: 0, invalid_value: 0, outside_month: 0, duplicate: 0 };
}

/** Sum of all reasons. */
export function totalQuarantined(counts: QuarantineCounts): number {
  return QUARANTINE_REASONS.reduce((sum, r) => sum + counts[r], 0);
}
