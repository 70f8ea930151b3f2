import { buildTraceQL, EMPTY_FORM, type SearchFormInput, toTraceQLDuration } from './traceql-build';

const form = (fields: Partial<SearchFormInput>) => buildTraceQL({ ...EMPTY_FORM, ...fields });

describe('the search form’s TraceQL', () => {
  it('is {} when nothing is filled in', () => {
    expect(form({})).toEqual({ query: '{}', problems: [] });
  });

  it('writes service, span name and status as one spanset filter', () => {
    expect(form({ service: 'frontend', spanName: 'GET /checkout', status: 'error' }).query).toBe(
      '{ resource.service.name = "frontend" && name = "GET /checkout" && status = error }',
    );
  });

  it('scopes bare tag keys to any scope, keeps numbers bare and quotes strings', () => {
    expect(
      form({ tags: 'http.status_code=500 customer_id="42" region=eu-west-1 span.db.system = postgresql' })
        .query,
    ).toBe(
      '{ .http.status_code = 500 && .customer_id = "42" && .region = "eu-west-1" && span.db.system = "postgresql" }',
    );
  });

  it('keeps tag operators, quotes regexes, and escapes quotes inside values', () => {
    expect(form({ tags: 'http.method!=GET http.url=~/api/.* note="say \\"hi\\""' }).query).toBe(
      '{ .http.method != "GET" && .http.url =~ "/api/.*" && .note = "say \\"hi\\"" }',
    );
  });

  it('writes min and max durations against the span or the whole trace', () => {
    expect(form({ minDuration: '100ms', maxDuration: '1.5s' }).query).toBe(
      '{ duration >= 100ms && duration <= 1.5s }',
    );
    expect(form({ minDuration: '250', durationOf: 'trace' }).query).toBe('{ traceDuration >= 250ms }');
  });

  it('leaves out what it cannot read, and says why', () => {
    const built = form({ service: 'cart', tags: 'lonely', minDuration: 'soon' });
    expect(built.query).toBe('{ resource.service.name = "cart" }');
    expect(built.problems).toEqual([
      'Tag “lonely” needs a value: write key=value.',
      'Min duration “soon” is not a duration: write 100ms, 1.5s or 2m.',
    ]);
  });

  it('reads durations as TraceQL writes them', () => {
    expect(toTraceQLDuration('2m')).toBe('2m');
    expect(toTraceQLDuration(' 1.50 s ')).toBe('1.5s');
    expect(toTraceQLDuration('30µs')).toBe('30us');
    expect(toTraceQLDuration('fast')).toBeUndefined();
  });
});
