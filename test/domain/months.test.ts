import { describe, expect, it } from 'vitest';
import { MonthSchema, monthBounds, monthRange, nextMonth, previousMonth } from '../../functions/src/domain/months.js';
import { rawObjectKey, stagingTable } from '../../functions/src/domain/naming.js';
import { resolveSource, sourceFileUrl } from '../../functions/src/domain/sources.js';
import { dataset, TAXIS } from '../../functions/src/domain/datasets.js';

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
  it('builds the release URL of each source and the lake key of each format', () => {
    expect(sourceFileUrl(resolveSource('tlc'), 'fhvhv', '2024-01')).toBe('https://d37ci6vzurychx.cloudfront.net/trip-data/fhvhv_tripdata_2024-01.parquet');
    expect(sourceFileUrl(resolveSource('mirror'), 'green', '2020-10')).toBe(
      'https://github.com/DataTalksClub/nyc-tlc-data/releases/download/green/green_tripdata_2020-10.csv.gz',
    );
    expect(sourceFileUrl(resolveSource('http://h/base/'), 'yellow', '2019-01')).toBe('http://h/base/yellow/yellow_tripdata_2019-01.csv.gz');
    expect(sourceFileUrl(resolveSource('http://h/t/{taxi}-{YYYY}{MM}.parquet'), 'fhv', '2015-03')).toBe('http://h/t/fhv-201503.parquet');
    expect(rawObjectKey('yellow', '2021-03', 'csv')).toBe('raw/yellow/2021/yellow_tripdata_2021-03.csv.gz');
    expect(rawObjectKey('yellow', '2023-02', 'parquet')).toBe('raw/yellow/2023/yellow_tripdata_2023-02.parquet');
    expect(stagingTable('green', '2020-10')).toBe('green_tripdata_staging_2020_10');
  });

  it('takes the format from the template and refuses what it cannot read, in one line', () => {
    expect(resolveSource('tlc').format).toBe('parquet');
    expect(resolveSource('mirror').format).toBe('csv');
    expect(resolveSource('https://x/{taxi}/{YYYY}/{MM}.csv.gz').format).toBe('csv');
    expect(() => resolveSource('https://x/{taxi}_{YYYY}-{MM}.json')).toThrow('must end with .parquet or .csv.gz');
    expect(() => resolveSource('https://x/{taxi}_{YYYY}.parquet')).toThrow('lacks {MM}');
    expect(() => resolveSource('https://x/{taxi}_{YYYY}-{MM}-{DD}.parquet')).toThrow('has unknown {DD}');
    expect(() => resolveSource('ftp://x')).toThrow(/must be "tlc" or "mirror", an http\(s\) URL template/);
  });

  it('knows the four datasets, each with its pickup column and its first month', () => {
    expect(TAXIS).toEqual(['yellow', 'green', 'fhv', 'fhvhv']);
    expect(dataset('green').columns).toHaveLength(21);
    expect(dataset('yellow').columns).toHaveLength(20);
    expect(dataset('fhv').columns).toHaveLength(7);
    expect(dataset('fhvhv').columns).toHaveLength(25);
    for (const taxi of TAXIS) {
      const ds = dataset(taxi);
      expect(ds.columns.find((c) => c.name === ds.pickupColumn)?.kind).toBe('timestamp');
      for (const c of ds.clusterColumns) expect(ds.columns.find((x) => x.name === c)?.kind).toBe('integer');
    }
    expect(dataset('yellow').firstMonth).toBe('2011-01');
    expect(dataset('fhvhv').firstMonth).toBe('2019-02');
  });
});
