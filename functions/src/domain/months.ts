/**
 * Months as `YYYY-MM`: validation, bounds and ranges. Pure, no clock unless one is passed in.
 */
import { z } from 'zod';

/** A calendar month, validated: `YYYY-MM` with a month 01..12 and a plausible year. */
export const MonthSchema = z
  .string({ error: () => 'month must be a string in the form YYYY-MM' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: (iss) => `month must be YYYY-MM with a month 01-12, got ${JSON.stringify(iss.input)}` })
  .refine((m) => Number(m.slice(0, 4)) >= 2009 && Number(m.slice(0, 4)) <= 2100, {
    error: (iss) => `month ${JSON.stringify(iss.input)} is outside the years the TLC publishes (2009 onward)`,
  });
export type Month = z.infer<typeof MonthSchema>;

/** Year and month numbers of a validated month. */
export function monthParts(month: Month): { year: number; month: number } {
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) };
}

/** The month after `month`. */
export function nextMonth(month: Month): Month {
  const { year, month: m } = monthParts(month);
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/** The month before `month`. */
export function previousMonth(month: Month): Month {
  const { year, month: m } = monthParts(month);
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Half-open bounds of a month as naive local timestamps (`YYYY-MM-DD HH:MM:SS`), the way the TLC
 * files write pickup times: a trip belongs to the month when start <= pickup < end.
 */
export function monthBounds(month: Month): { start: string; end: string } {
  return { start: `${month}-01 00:00:00`, end: `${nextMonth(month)}-01 00:00:00` };
}

/** Every month from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthRange(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) out.push(m);
  return out;
}
