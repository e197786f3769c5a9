import { describe, expect, it } from 'vitest';
import { MonthSchema, monthBounds, monthRange, nextMonth, previousMonth } from '../../functions/src/domain/months.js';
import { rawObjectKey, releaseUrl, stagingTable } from '../../functions/src/domain/naming.js';
import { DEFAULT_SOURCE_URL, dataset } from '../../functions/src/domain/datasets.js';

describe('months', () => {
  it.each([
    ['2020-10', true],
    ['2019-01', true],
    ['2020-13', false],
    ['2020-00', false],
    ['20-10', false],
    ['2020-1', false],
    ['2020-10-01', false],
    [' 2020-10', false],
    ['1999-05', false],
    [202010, false],
  ])('%s valid: %s', (value, valid) => {
    expect(MonthSchema.safeParse(value).success).toBe(valid);
  });

  it.each([
    ['2020-12', '2021-01', '2020-11'],
    ['2021-01', '2021-02', '2020-12'],
  ])('%s: next %s, previous %s', (m, next, prev) => {
    expect(nextMonth(m)).toBe(next);
    expect(previousMonth(m)).toBe(prev);
  });

  it('bounds are half-open and cross the year', () => {
    expect(monthBounds('2020-12')).toEqual({ start: '2020-12-01 00:00:00', end: '2021-01-01 00:00:00' });
  });

  it('ranges are inclusive and empty when reversed', () => {
    expect(monthRange('2020-11', '2021-02')).toEqual(['2020-11', '2020-12', '2021-01', '2021-02']);
    expect(monthRange('2021-02', '2020-11')).toEqual([]);
  });
});

describe('naming', () => {
  it('builds the release URL and the lake key', () => {
    expect(releaseUrl(DEFAULT_SOURCE_URL, 'green', '2020-10')).toBe(
      'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/green/green_tripdata_2020-10.csv.gz',
    );
    expect(releaseUrl('http://h/base/', 'yellow', '2019-01')).toBe('http://h/base/yellow/yellow_tripdata_2019-01.csv.gz');
    expect(rawObjectKey('yellow', '2021-03')).toBe('raw/yellow/2021/yellow_tripdata_2021-03.csv.gz');
    expect(stagingTable('green', '2020-10')).toBe('green_tripdata_staging_2020_10');
  });

  it('knows both datasets', () => {
    expect(dataset('green').columns).toHaveLength(20);
    expect(dataset('yellow').columns).toHaveLength(18);
    expect(dataset('green').pickupColumn).toBe('lpep_pickup_datetime');
    expect(dataset('yellow').pickupColumn).toBe('tpep_pickup_datetime');
    for (const taxi of ['green', 'yellow'] as const) {
      const ds = dataset(taxi);
      expect(ds.columns.find((c) => c.name === ds.pickupColumn)?.kind).toBe('timestamp');
    }
  });
});
