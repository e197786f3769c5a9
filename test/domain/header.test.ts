import { describe, expect, it } from 'vitest';
import { dataset } from '../../functions/src/domain/datasets.js';
import { mapHeader } from '../../functions/src/domain/header.js';
import { GREEN_HEADER } from '../helpers/files.js';

const green = dataset('green');

describe('header mapping', () => {
  it('accepts the release header, with CRLF or a BOM', () => {
    expect(mapHeader(green, GREEN_HEADER)).toEqual(green.columns.map((c) => c.name));
    expect(mapHeader(green, `\uFEFF${GREEN_HEADER}\r`)).toEqual(green.columns.map((c) => c.name));
  });

  it('maps by name, any order and any case', () => {
    const reordered = GREEN_HEADER.split(',').reverse();
    expect(mapHeader(green, reordered.join(','))).toEqual(reordered);
    expect(mapHeader(green, GREEN_HEADER.toLowerCase())).toEqual(green.columns.map((c) => c.name));
  });

  it.each([
    ['an unknown column', `${GREEN_HEADER},airport_fee`, 'schema drift in the green header: unknown column(s) "airport_fee"'],
    ['a missing column', GREEN_HEADER.replace(',congestion_surcharge', ''), 'schema drift in the green header: missing column(s) congestion_surcharge'],
    ['a repeated column', GREEN_HEADER.replace('extra', 'mta_tax'), 'schema drift in the green header: missing column(s) extra; repeated column(s) mta_tax'],
    ['the yellow header', dataset('yellow').columns.map((c) => c.name).join(','), 'unknown column(s) "tpep_pickup_datetime", "tpep_dropoff_datetime"'],
  ])('rejects %s', (_name, header, message) => {
    expect(() => mapHeader(green, header)).toThrow(message);
  });
});
