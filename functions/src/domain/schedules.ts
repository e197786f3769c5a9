/**
 * When each taxi dataset is loaded: one monthly schedule per taxi, shared by the infrastructure (Cloud
 * Scheduler jobs) and the CLI. Pure data and pure functions; time zone math uses `Intl.DateTimeFormat`
 * only, so no dependency is needed.
 *
 * Cron expressions use the five standard fields (minute hour day-of-month month day-of-week) with `*`,
 * numbers, lists (`1,15`), ranges (`1-5`) and steps (`*\/2`, `1-10/3`), as Cloud Scheduler reads them.
 * When both day-of-month and day-of-week are restricted a day matches if either does (classic cron).
 */
import type { Taxi } from './datasets.js';
import type { Month } from './months.js';

/** The time zone the schedules are written in: the TLC publishes from New York. */
export const SCHEDULE_TIME_ZONE = 'America/New_York';

/** How many months before the execution month a scheduled run loads by default. */
export const DEFAULT_MONTH_LAG = 1;

/** One monthly load of one taxi dataset. */
export interface Schedule {
  readonly taxi: Taxi;
  /** Five-field cron, evaluated in {@link Schedule.timeZone}. */
  readonly cron: string;
  /** IANA time zone of {@link Schedule.cron}. */
  readonly timeZone: string;
  /**
   * The workflow argument. The month is omitted on purpose: the workflow loads the month `MONTH_LAG`
   * months before the execution time (see {@link monthLoadedAt}).
   */
  readonly argument: { readonly taxi: Taxi };
  /** One line for humans (Cloud Scheduler job description, CLI listing). */
  readonly description: string;
}

/**
 * The schedules, one per taxi. Releases come out monthly; the two jobs are an hour apart so they never
 * compete for the same BigQuery slots and a failure of one is easy to tell from the other.
 */
export const SCHEDULES: readonly Schedule[] = [
  {
    taxi: 'green',
    cron: '0 6 3 * *',
    timeZone: SCHEDULE_TIME_ZONE,
    argument: { taxi: 'green' },
    description: 'Load the previous green taxi month, on the 3rd at 06:00 New York time',
  },
  {
    taxi: 'yellow',
    cron: '0 7 3 * *',
    timeZone: SCHEDULE_TIME_ZONE,
    argument: { taxi: 'yellow' },
    description: 'Load the previous yellow taxi month, on the 3rd at 07:00 New York time',
  },
];

/** The schedule of one taxi. */
export function scheduleFor(taxi: Taxi): Schedule {
  const found = SCHEDULES.find((s) => s.taxi === taxi);
  if (!found) throw new Error(`no schedule for taxi ${taxi}`);
  return found;
}

// --- cron parsing ---------------------------------------------------------------------------------

interface CronField {
  readonly values: ReadonlySet<number>;
  /** True when the field was `*` (or `*` with a step of 1): matters for the day-of-month/day-of-week rule. */
  readonly any: boolean;
}

/** A parsed five-field cron expression. */
export interface ParsedCron {
  readonly minutes: CronField;
  readonly hours: CronField;
  readonly daysOfMonth: CronField;
  readonly months: CronField;
  /** 0 = Sunday ... 6 = Saturday (7 is folded to 0). */
  readonly daysOfWeek: CronField;
}

function parseField(text: string, min: number, max: number, what: string): CronField {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid cron ${what} field ${JSON.stringify(text)}`);
    const [, range, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo = min;
    let hi = max;
    if (range !== '*') {
      const [a, b] = range!.split('-').map(Number);
      lo = a!;
      hi = b ?? (stepText === undefined ? a! : max);
    }
    if (step < 1 || lo < min || hi > max || lo > hi) throw new Error(`cron ${what} field ${JSON.stringify(text)} is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: text === '*' || text === '*/1' };
}

/**
 * Parse a five-field cron expression.
 * @throws Error naming the bad field
 */
export function parseCron(cron: string): ParsedCron {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron must have 5 fields, got ${JSON.stringify(cron)}`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  const daysOfWeek = parseField(dow, 0, 7, 'day-of-week');
  const folded = new Set([...daysOfWeek.values].map((d) => d % 7));
  return {
    minutes: parseField(mi, 0, 59, 'minute'),
    hours: parseField(h, 0, 23, 'hour'),
    daysOfMonth: parseField(dom, 1, 31, 'day-of-month'),
    months: parseField(mo, 1, 12, 'month'),
    daysOfWeek: { values: folded, any: daysOfWeek.any },
  };
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

/** Milliseconds to add to UTC to get the wall time of `timeZone` at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  const w = wallTime(new Date(instant), timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `timeZone` shows the given time. An ambiguous time (the
 * repeated hour when clocks go back) resolves to its first occurrence; a time that does not exist (the
 * skipped hour when clocks go forward) resolves to the instant the same number of minutes after the
 * jump (02:30 on a spring-forward day becomes 03:30 daylight time).
 */
export function zonedTimeToInstant(w: Omit<WallTime, 'second'> & { second?: number }, timeZone: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
  // The offset before the wall time is the one in force just before it: take the earlier candidate.
  const before = offsetMs(naive - 86_400_000, timeZone);
  const after = offsetMs(naive + 86_400_000, timeZone);
  const candidates = [naive - before, naive - after].filter((t) => t + offsetMs(t, timeZone) === naive);
  if (candidates.length) return new Date(Math.min(...candidates));
  // Skipped time: apply the offset in force before the jump.
  return new Date(naive - before);
}

// --- public helpers -------------------------------------------------------------------------------

/**
 * The next `n` instants strictly after `from` at which `schedule` fires, in order.
 * @throws Error when the cron is invalid or never fires (e.g. `0 0 31 2 *`)
 */
export function nextFireTimes(schedule: Pick<Schedule, 'cron' | 'timeZone'>, from: Date, n: number): Date[] {
  const cron = parseCron(schedule.cron);
  const out: Date[] = [];
  if (n <= 0) return out;
  const start = wallTime(from, schedule.timeZone);
  const hours = [...cron.hours.values].sort((a, b) => a - b);
  const minutes = [...cron.minutes.values].sort((a, b) => a - b);
  // Walk calendar days in the zone; 28 years cover every weekday/date combination.
  for (let i = 0; i < 366 * 28 && out.length < n; i++) {
    const day = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    if (!cron.months.values.has(mo)) continue;
    const domOk = cron.daysOfMonth.values.has(d);
    const dowOk = cron.daysOfWeek.values.has(day.getUTCDay());
    const dayOk = cron.daysOfMonth.any || cron.daysOfWeek.any ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) continue;
    for (const h of hours) {
      for (const mi of minutes) {
        const t = zonedTimeToInstant({ year: y, month: mo, day: d, hour: h, minute: mi }, schedule.timeZone);
        if (t.getTime() > from.getTime() && (out.length === 0 || t.getTime() > out[out.length - 1]!.getTime())) out.push(t);
        if (out.length >= n) return out;
      }
    }
  }
  if (out.length < n) throw new Error(`cron ${JSON.stringify(schedule.cron)} does not fire ${n} times`);
  return out;
}

/**
 * The month a run started at `fireTime` loads: the calendar month of `fireTime` in New York time,
 * minus `lagMonths` (1 = the previous month). The workflow applies the same rule with its `MONTH_LAG`.
 */
export function monthLoadedAt(fireTime: Date, lagMonths: number = DEFAULT_MONTH_LAG): Month {
  if (!Number.isInteger(lagMonths) || lagMonths < 0) throw new Error(`lagMonths must be a whole number >= 0, got ${lagMonths}`);
  const w = wallTime(fireTime, SCHEDULE_TIME_ZONE);
  const index = w.year * 12 + (w.month - 1) - lagMonths;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}
