/**
 * `taxi-elt schedule`: the load schedules, their next fire times and the month each would load.
 */
import type { Command } from 'commander';
import { BadRequestError } from '../domain/errors.js';
import { dataset } from '../domain/datasets.js';
import { DEFAULT_MONTH_LAG, DEFAULT_SCHEDULE_WINDOW, SCHEDULES, monthsLookedAt, nextFireTimes } from '../domain/schedules.js';
import { formatTable } from './table.js';

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('list the daily schedules (the ones Cloud Scheduler runs) with their next fire times and the months each run looks at')
    .option('--count <n>', 'fire times per schedule', '3')
    .option('--from <iso>', 'start from this instant instead of now (ISO 8601)')
    .option('--lag <months>', 'months between a run and the newest month it looks at (TAXI_MONTH_LAG)', String(DEFAULT_MONTH_LAG))
    .option('--window <months>', 'months a run looks back over (TAXI_SCHEDULE_WINDOW)', String(DEFAULT_SCHEDULE_WINDOW))
    .option('--json', 'print JSON')
    .action((opts: { count: string; from?: string; lag: string; window: string; json?: boolean }) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) throw new BadRequestError('--count must be an integer from 1 to 100');
      const lag = Number(opts.lag);
      if (!Number.isInteger(lag) || lag < 0 || lag > 24) throw new BadRequestError('--lag must be an integer from 0 to 24');
      const window = Number(opts.window);
      if (!Number.isInteger(window) || window < 1 || window > 24) throw new BadRequestError('--window must be an integer from 1 to 24');
      const from = opts.from ? new Date(opts.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new BadRequestError(`--from is not a date: ${JSON.stringify(opts.from)}`);
      const rows = SCHEDULES.flatMap((s) =>
        nextFireTimes(s, from, count).map((at) => ({
          taxi: s.taxi,
          cron: s.cron,
          time_zone: s.timeZone,
          fires_at: at.toISOString(),
          fires_at_local: at.toLocaleString('sv-SE', { timeZone: s.timeZone }),
          looks_at: monthsLookedAt(at, lag, window, dataset(s.taxi).firstMonth).join(' '),
        })),
      );
      process.stdout.write(opts.json ? `${JSON.stringify(rows)}\n` : `${formatTable(rows)}\n`);
    });
}
