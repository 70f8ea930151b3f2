// @vitest-environment node
import { EMPTY_FILTER } from '../trace/model/filter';
import { homeHref, readFilter, readTimeRange, traceHref, writeFilter } from './url-state';

describe('URL state', () => {
  it('round-trips the span filter and drops empty fields', () => {
    const filter = { ...EMPTY_FILTER, service: 'api', text: 'GET', minDuration: '5ms', errorsOnly: true };
    const params = writeFilter(new URLSearchParams('span=01&op=old'), filter);
    expect(params.toString()).toBe('span=01&op=GET&service=api&minDur=5ms&errors=1');
    expect(readFilter(params)).toEqual(filter);
    expect(writeFilter(params, EMPTY_FILTER).toString()).toBe('span=01');
  });

  it('keeps tenant and time range, and only those, when linking to a trace', () => {
    const current = new URLSearchParams('tenant=team-a&from=now-6h&to=now&op=x&span=1');
    expect(traceHref('abc', current, { span: 'ff' })).toBe(
      '/trace/abc?tenant=team-a&from=now-6h&to=now&span=ff',
    );
    expect(traceHref('abc', new URLSearchParams(), { source: 'file' })).toBe('/trace/abc?ds=file');
    expect(homeHref(current)).toBe('/?tenant=team-a&from=now-6h&to=now');
    expect(homeHref(new URLSearchParams('op=x'))).toBe('/');
  });

  it('defaults the time range to the last hour', () => {
    expect(readTimeRange(new URLSearchParams())).toEqual({ from: 'now-1h', to: 'now' });
  });
});
