import { describe, expect, it } from 'vitest';
import { landingRole, parseLandedKey, rejectedKey } from '../../functions/src/domain/landing.js';

describe('landed names', () => {
  it.each([
    ['landing/green_tripdata_2020-10.csv.gz', { taxi: 'green', month: '2020-10', format: 'csv' }],
    ['landing/fhvhv_tripdata_2023-01.parquet', { taxi: 'fhvhv', month: '2023-01', format: 'parquet' }],
    ['landing/yellow_tripdata_2011-01.parquet', { taxi: 'yellow', month: '2011-01', format: 'parquet' }],
    ['landing/fhv_tripdata_2015-01.csv.gz', { taxi: 'fhv', month: '2015-01', format: 'csv' }],
  ])('%s is a loadable month', (key, expected) => {
    expect(landingRole(key)).toBe('landed');
    expect(parseLandedKey(key)).toEqual({ ok: true, key, ...expected });
  });

  it.each([
    ['landing/notes.txt', '"notes.txt" is not a TLC trip file name: expected {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz with taxi yellow, green, fhv, fhvhv'],
    ['landing/green_tripdata_2020-10.csv', '"green_tripdata_2020-10.csv" is not a TLC trip file name: expected {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz with taxi yellow, green, fhv, fhvhv'],
    ['landing/Green_tripdata_2020-10.parquet', '"Green_tripdata_2020-10.parquet" is not a TLC trip file name: expected {taxi}_tripdata_{YYYY}-{MM}.parquet or .csv.gz with taxi yellow, green, fhv, fhvhv'],
    ['landing/green_tripdata_2020-13.parquet', '"green_tripdata_2020-13.parquet" names no month: month must be YYYY-MM with a month 01-12, got "2020-13"'],
    ['landing/fhvhv_tripdata_2019-01.parquet', 'fhvhv 2019-01 is not loadable: the TLC publishes high-volume for-hire trips from 2019-02'],
    ['landing/2020/green_tripdata_2020-10.parquet', 'files are loaded from directly under landing/, not from a folder in it (2020/green_tripdata_2020-10.parquet)'],
  ])('%s is rejected: %s', (key, reason) => {
    expect(landingRole(key)).toBe('landed');
    expect(parseLandedKey(key)).toEqual({ ok: false, key, reason });
    expect(rejectedKey(key)).toBe(`landing/rejected/${key.split('/').at(-1)}`);
  });

  it.each([
    'raw/green/2020/green_tripdata_2020-10.csv.gz',
    'loads/green/green_tripdata_2020-10.json',
    'landing/',
    'landing/sub/',
    'landing/rejected/green_tripdata_2020-13.parquet',
    'landing/.green_tripdata_2020-10.parquet.tmp',
    'landing/green_tripdata_2020-10.parquet.part',
    'landing/green_tripdata_2020-10.parquet.crdownload',
    'landing/green_tripdata_2020-10.parquet~',
  ])('%s is not a landed file: nothing is done with it', (key) => {
    expect(landingRole(key)).toBe('ignored');
  });
});
