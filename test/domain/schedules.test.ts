import { describe, expect, it } from 'vitest';
import { TAXIS } from '../../functions/src/domain/datasets.js';
import {
  SCHEDULES,
  SCHEDULE_TIME_ZONE,
  monthLoadedAt,
  monthsLookedAt,
  nextFireTimes,
  scheduleFor,
  validateCron,
} from '../../functions/src/domain/schedules.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
// Monthly crons to exercise the calendar arithmetic (the shipped schedules are daily).
const MONTHLY_6 = { cron: '0 6 3 * *', timeZone: SCHEDULE_TIME_ZONE };
const MONTHLY_7 = { cron: '0 7 3 * *', timeZone: SCHEDULE_TIME_ZONE };

describe('SCHEDULES', () => {
  it('has one daily New York schedule per dataset, staggered, with the taxi as the only argument', () => {
    expect(SCHEDULES.map((s) => s.taxi).sort()).toEqual([...TAXIS].sort());
    for (const s of SCHEDULES) {
      expect(s.timeZone).toBe(SCHEDULE_TIME_ZONE);
      expect(s.argument).toEqual({ taxi: s.taxi });
      expect(() => validateCron(s.cron)).not.toThrow();
    }
    expect(SCHEDULES.map((s) => s.cron)).toEqual(['0 6 * * *', '20 6 * * *', '40 6 * * *', '0 7 * * *']);
    expect(scheduleFor('fhvhv').description).toBe('Load the newly published fhvhv months, daily at 07:00 New York time');
  });
});

describe('validateCron', () => {
  it.each([
    ['0 6 3 *', /must have 5 fields/],
    ['0 6 3 * * *', /must have 5 fields/],
    ['0 24 3 * *', /.+/],
    ['0 6 x * *', /.+/],
  ])('refuses %s', (cron, message) => {
    expect(() => validateCron(cron)).toThrow(message);
  });

  it('accepts lists, ranges and steps', () => {
    expect(() => validateCron('*/15 1-3 1,15 */6 7')).not.toThrow();
  });
});

describe('nextFireTimes', () => {
  it('fires green on the 3rd at 06:00 New York time, EST and EDT', () => {
    const times = nextFireTimes(MONTHLY_6, new Date('2024-01-15T00:00:00Z'), 4);
    expect(iso(times)).toEqual([
      '2024-02-03T11:00:00.000Z', // EST, UTC-5
      '2024-03-03T11:00:00.000Z', // still EST: DST starts on 10 March 2024
      '2024-04-03T10:00:00.000Z', // EDT, UTC-4
      '2024-05-03T10:00:00.000Z',
    ]);
  });

  it('handles the day clocks go back (3 Nov 2024 is itself the DST end day)', () => {
    const times = nextFireTimes(MONTHLY_7, new Date('2024-09-20T00:00:00Z'), 3);
    expect(iso(times)).toEqual([
      '2024-10-03T11:00:00.000Z', // 07:00 EDT
      '2024-11-03T12:00:00.000Z', // 07:00 EST: the switch happened at 02:00 that morning
      '2024-12-03T12:00:00.000Z',
    ]);
  });

  it('wraps December into January of the next year', () => {
    const times = nextFireTimes(MONTHLY_6, new Date('2024-12-03T11:00:00Z'), 2);
    // Exactly at a fire time: strictly after, so December's run is not repeated.
    expect(iso(times)).toEqual(['2025-01-03T11:00:00.000Z', '2025-02-03T11:00:00.000Z']);
  });

  it('includes a fire time later on the same local day', () => {
    expect(iso(nextFireTimes(MONTHLY_7, new Date('2024-06-03T10:59:00Z'), 1))).toEqual(['2024-06-03T11:00:00.000Z']);
  });

  it('applies the cron OR rule when both day fields are restricted', () => {
    // 1st of the month or any Monday, at noon UTC.
    const times = nextFireTimes({ cron: '0 12 1 * 1', timeZone: 'UTC' }, new Date('2024-06-28T00:00:00Z'), 3);
    expect(iso(times)).toEqual(['2024-07-01T12:00:00.000Z', '2024-07-08T12:00:00.000Z', '2024-07-15T12:00:00.000Z']);
  });

  it('returns nothing for n = 0 and throws for a cron that never fires', () => {
    expect(nextFireTimes(MONTHLY_6, new Date('2024-01-01T00:00:00Z'), 0)).toEqual([]);
    expect(() => nextFireTimes({ cron: '0 0 31 2 *', timeZone: 'UTC' }, new Date('2024-01-01T00:00:00Z'), 1)).toThrow();
  });
});

describe('daylight-saving edges', () => {
  it('a daily 02:30 New York job on the spring-forward day fires once, after the jump', () => {
    // 10 March 2024: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    const times = nextFireTimes({ cron: '30 2 * * *', timeZone: SCHEDULE_TIME_ZONE }, new Date('2024-03-09T12:00:00Z'), 3);
    // 03:30 EDT on the 10th (the time that follows the gap), then 02:30 EDT.
    expect(iso(times)).toEqual(['2024-03-10T07:30:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z']);
  });
});

describe('monthLoadedAt', () => {
  it('is the previous New York month of the fire time', () => {
    expect(monthLoadedAt(new Date('2024-04-03T10:00:00Z'))).toBe('2024-03');
    expect(monthLoadedAt(new Date('2024-04-03T10:00:00Z'), 2)).toBe('2024-02');
    expect(monthLoadedAt(new Date('2024-04-03T10:00:00Z'), 0)).toBe('2024-04');
  });
  it('wraps January back into December of the previous year', () => {
    expect(monthLoadedAt(new Date('2025-01-03T11:00:00Z'))).toBe('2024-12');
    expect(monthLoadedAt(new Date('2025-02-03T11:00:00Z'), 3)).toBe('2024-11');
  });
  it('uses the New York calendar, not UTC, near midnight', () => {
    // 03:00 UTC on 1 January is still 31 December in New York: the loaded month is November.
    expect(monthLoadedAt(new Date('2024-01-01T03:00:00Z'))).toBe('2023-11');
    expect(monthLoadedAt(new Date('2024-01-01T05:00:00Z'))).toBe('2023-12');
  });
  it('agrees with the scheduled fire times', () => {
    const [t] = nextFireTimes(MONTHLY_7, new Date('2024-12-20T00:00:00Z'), 1);
    expect(monthLoadedAt(t!)).toBe('2024-12');
  });
  it('a daily run fires every day, each looking at the same window until the month turns', () => {
    const times = nextFireTimes(scheduleFor('green'), new Date('2026-11-29T00:00:00Z'), 4);
    expect(iso(times)).toEqual(['2026-11-29T11:20:00.000Z', '2026-11-30T11:20:00.000Z', '2026-12-01T11:20:00.000Z', '2026-12-02T11:20:00.000Z']);
    expect(times.map((t) => monthsLookedAt(t).join(' '))).toEqual(['2026-08 2026-09 2026-10', '2026-08 2026-09 2026-10', '2026-09 2026-10 2026-11', '2026-09 2026-10 2026-11']);
  });
  it('looks back over the window, oldest first, never before the dataset\'s first month', () => {
    expect(monthsLookedAt(new Date('2026-12-04T12:00:00Z'))).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(monthsLookedAt(new Date('2026-12-04T12:00:00Z'), 2, 1)).toEqual(['2026-10']);
    expect(monthsLookedAt(new Date('2019-04-05T12:00:00Z'), 1, 3, '2019-02')).toEqual(['2019-02', '2019-03']);
    expect(() => monthsLookedAt(new Date(), 1, 0)).toThrow();
  });
  it('rejects a negative or fractional lag', () => {
    expect(() => monthLoadedAt(new Date(), -1)).toThrow();
    expect(() => monthLoadedAt(new Date(), 1.5)).toThrow();
  });
});
