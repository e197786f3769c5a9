/**
 * When each taxi dataset is looked at: one daily schedule per dataset, shared by the infrastructure
 * (Cloud Scheduler jobs) and the CLI. Each run looks back over a window of months and loads the ones
 * published and not yet loaded, so a month the TLC publishes (48-63 days after it ends, on no fixed day)
 * is loaded within a day, and a run with nothing new costs one conditional request per month of the
 * window. Pure data and pure functions.
 *
 * Cron expressions use the five standard fields (minute hour day-of-month month day-of-week), as Cloud
 * Scheduler reads them; cron-parser evaluates them.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Taxi } from './datasets.js';
import type { Month } from './months.js';

/** The time zone the schedules are written in: the TLC publishes from New York. */
export const SCHEDULE_TIME_ZONE = 'America/New_York';

/** How many months before the execution month the newest month a scheduled run looks at is, by default. */
export const DEFAULT_MONTH_LAG = 1;

/** How many months a scheduled run looks back over by default: with the TLC's lag, the month before
 * last is usually the newest published, and a republished older month is picked up too. */
export const DEFAULT_SCHEDULE_WINDOW = 3;

/** One monthly load of one taxi dataset. */
export interface Schedule {
  readonly taxi: Taxi;
  /** Five-field cron, evaluated in {@link Schedule.timeZone}. */
  readonly cron: string;
  /** IANA time zone of {@link Schedule.cron}. */
  readonly timeZone: string;
  /**
   * The workflow argument. The month is omitted on purpose: the workflow looks at the window of months
   * before the execution time (see {@link monthsLookedAt}).
   */
  readonly argument: { readonly taxi: Taxi };
  /** One line for humans (Cloud Scheduler job description, CLI listing). */
  readonly description: string;
}

const daily = (taxi: Taxi, minute: number, hour: number): Schedule => ({
  taxi,
  cron: `${minute} ${hour} * * *`,
  timeZone: SCHEDULE_TIME_ZONE,
  argument: { taxi },
  description: `Load the newly published ${taxi} months, daily at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} New York time`,
});

/**
 * The schedules, one per dataset, daily and 20 minutes apart: the TLC publishes on no fixed day, a run
 * that finds nothing new is cheap, and staggering keeps the datasets' loads (fhvhv months are ~20M rows)
 * from competing for the same slots and makes a failure easy to place.
 */
export const SCHEDULES: readonly Schedule[] = [daily('yellow', 0, 6), daily('green', 20, 6), daily('fhv', 40, 6), daily('fhvhv', 0, 7)];

/** The schedule of one taxi. */
export function scheduleFor(taxi: Taxi): Schedule {
  const found = SCHEDULES.find((s) => s.taxi === taxi);
  if (!found) throw new Error(`no schedule for taxi ${taxi}`);
  return found;
}

// --- time zone math -------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a time zone. */
export interface WallTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock time of `instant` in `timeZone`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

// --- public helpers -------------------------------------------------------------------------------

/**
 * Check a cron expression as Cloud Scheduler reads it: five standard fields.
 * @throws Error naming the problem
 */
export function validateCron(cron: string): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron ${JSON.stringify(cron)} must have 5 fields (minute hour day-of-month month day-of-week), has ${fields.length}`);
  CronExpressionParser.parse(cron, { strict: false });
}

/**
 * The next `n` instants strictly after `from` at which `schedule` fires, in order, in its time zone
 * (cron-parser does the calendar and daylight-saving arithmetic).
 * @throws Error when the cron is invalid or never fires (e.g. `0 0 31 2 *`)
 */
export function nextFireTimes(schedule: Pick<Schedule, 'cron' | 'timeZone'>, from: Date, n: number): Date[] {
  validateCron(schedule.cron);
  if (n <= 0) return [];
  const times = CronExpressionParser.parse(schedule.cron, { currentDate: from, tz: schedule.timeZone });
  return Array.from({ length: n }, () => times.next().toDate());
}

/**
 * The newest month a run started at `fireTime` looks at: the calendar month of `fireTime` in New York
 * time, minus `lagMonths` (1 = the previous month). The workflow applies the same rule with its `MONTH_LAG`.
 */
export function monthLoadedAt(fireTime: Date, lagMonths: number = DEFAULT_MONTH_LAG): Month {
  if (!Number.isInteger(lagMonths) || lagMonths < 0) throw new Error(`lagMonths must be a whole number >= 0, got ${lagMonths}`);
  const w = wallTime(fireTime, SCHEDULE_TIME_ZONE);
  const index = w.year * 12 + (w.month - 1) - lagMonths;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/**
 * The months a run started at `fireTime` looks at, oldest first: the `window` months ending with
 * {@link monthLoadedAt}, from the dataset's first month on (`first`). The workflow applies the same rule
 * with `MONTH_LAG`, `SCHEDULE_WINDOW` and `FIRST_MONTHS`.
 */
export function monthsLookedAt(fireTime: Date, lagMonths: number = DEFAULT_MONTH_LAG, window: number = DEFAULT_SCHEDULE_WINDOW, first = '0000-01'): Month[] {
  if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a whole number >= 1, got ${window}`);
  const months: Month[] = [];
  for (let back = window - 1; back >= 0; back--) {
    const m = monthLoadedAt(fireTime, lagMonths + back);
    if (m >= first) months.push(m);
  }
  return months;
}
