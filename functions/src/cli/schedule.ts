/**
 * `taxi-elt schedule`: the load schedules, their next fire times and the month each would load.
 */
import type { Command } from 'commander';
import { BadRequestError } from '../domain/errors.js';
import { DEFAULT_MONTH_LAG, SCHEDULES, monthLoadedAt, nextFireTimes } from '../domain/schedules.js';
import { formatTable } from './table.js';

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('list the monthly schedules (the ones Cloud Scheduler runs) with their next fire times')
    .option('--count <n>', 'fire times per schedule', '3')
    .option('--from <iso>', 'start from this instant instead of now (ISO 8601)')
    .option('--lag <months>', 'months back a scheduled run loads', String(DEFAULT_MONTH_LAG))
    .option('--json', 'print JSON')
    .action((opts: { count: string; from?: string; lag: string; json?: boolean }) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) throw new BadRequestError('--count must be an integer from 1 to 100');
      const lag = Number(opts.lag);
      if (!Number.isInteger(lag) || lag < 0 || lag > 24) throw new BadRequestError('--lag must be an integer from 0 to 24');
      const from = opts.from ? new Date(opts.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new BadRequestError(`--from is not a date: ${JSON.stringify(opts.from)}`);
      const rows = SCHEDULES.flatMap((s) =>
        nextFireTimes(s, from, count).map((at) => ({
          taxi: s.taxi,
          cron: s.cron,
          time_zone: s.timeZone,
          fires_at: at.toISOString(),
          fires_at_local: at.toLocaleString('sv-SE', { timeZone: s.timeZone }),
          loads_month: monthLoadedAt(at, lag),
        })),
      );
      process.stdout.write(opts.json ? `${JSON.stringify(rows)}\n` : `${formatTable(rows)}\n`);
    });
}
