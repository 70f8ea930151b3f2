import { parseLimit, readSearchParams, searchHref, searchWindow, writeSearchParams } from './search-url';

describe('search URL', () => {
  it('round-trips query and limit, leaving defaults out', () => {
    const written = writeSearchParams(new URLSearchParams('from=now-6h'), {
      query: '{ status = error }',
      limit: 100,
    });
    expect(written.toString()).toBe('from=now-6h&q=%7B+status+%3D+error+%7D&limit=100');
    expect(readSearchParams(written)).toEqual({ query: '{ status = error }', limit: 100 });
    expect(writeSearchParams(written, { query: '', limit: 20 }).toString()).toBe('from=now-6h');
  });

  it('keeps only the global parameters in a link', () => {
    expect(searchHref({ query: '{}', limit: 20 }, new URLSearchParams('tenant=t1&op=x&q=old'))).toBe(
      '/search?tenant=t1&q=%7B%7D',
    );
    expect(searchHref(undefined, new URLSearchParams())).toBe('/search');
  });

  it('accepts only sensible limits', () => {
    expect(parseLimit('50')).toBe(50);
    expect(parseLimit('0')).toBe(20);
    expect(parseLimit('lots')).toBe(20);
    expect(parseLimit('100000')).toBe(1000);
  });

  it('resolves the range in unix seconds, the end rounded up', () => {
    const now = 1_715_679_000_500;
    expect(searchWindow({ from: 'now-1h', to: 'now' }, now)).toEqual({
      startSec: 1_715_675_400,
      endSec: 1_715_679_001,
    });
  });
});
