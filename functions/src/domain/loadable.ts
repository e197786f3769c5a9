/**
 * Which (taxi, month) pairs this pipeline loads: from each dataset's first month on. Earlier months are
 * refused up front, before anything is downloaded, with one line saying why.
 */
import { dataset, type Taxi } from './datasets.js';
import { BadRequestError } from './errors.js';
import type { Month } from './months.js';

/**
 * @throws BadRequestError for a month before the dataset's first loadable month
 */
export function requireLoadable(taxi: Taxi, month: Month): void {
  const ds = dataset(taxi);
  if (month < ds.firstMonth) throw new BadRequestError(`${taxi} ${month} is not loadable: ${ds.before}`);
}
