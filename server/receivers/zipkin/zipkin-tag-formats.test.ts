import { describe, expect, it } from 'vitest';
import { attrs, base, onlySpan } from './zipkin-otlp-view.test-support';
import { ZipkinDecodeError } from './zipkin-span';

describe('annotations and links in the Collector exporter pipe forms', () => {
  it('an annotation name|{attributes}|dropped becomes an event with attributes', () => {
    const span = onlySpan(
      base({
        annotations: [
          {
            timestamp: 1_700_000_000_200_000,
            value: 'exception|{"exception.type":"IOError","n":3,"ratio":0.5,"ok":true,"nested":{}}|2',
          },
          { timestamp: 1_700_000_000_300_000, value: 'a|b' },
        ],
      }),
    );
    expect(span.events).toEqual([
      {
        timeUnixNano: '1700000000200000000',
        name: 'exception',
        attributes: attrs({ 'exception.type': 'IOError', n: 3n, ratio: 0.5, ok: true }),
        droppedAttributesCount: 2,
      },
      { timeUnixNano: '1700000000300000000', name: 'a' },
    ]);
  });

  it('otlp.link.N tags become links until the first missing N', () => {
    const linked = '0af7651916cd43dd8448eb211c80319c';
    const span = onlySpan(
      base({
        tags: {
          'otlp.link.0': `${linked}|b7ad6b7169203331|k=v|{"reason":"retry"}|1`,
          'otlp.link.1': 'too|few',
          'otlp.link.3': `${linked}|b7ad6b7169203331||{}|0`,
        },
      }),
    );
    expect(span.links).toEqual([
      {
        traceId: linked,
        spanId: 'b7ad6b7169203331',
        traceState: 'k=v',
        attributes: attrs({ reason: 'retry' }),
        droppedAttributesCount: 1,
      },
    ]);
    // otlp.link.3 is past the gap: an ordinary tag.
    expect(span.attributes).toEqual(attrs({ 'otlp.link.3': `${linked}|b7ad6b7169203331||{}|0` }));
  });

  it.each([
    [
      { annotations: [{ timestamp: 1, value: 'x|not json|0' }] },
      /annotation 0: .*"not json" is not a JSON object/,
    ],
    [{ annotations: [{ timestamp: 1, value: 'x|{}|many' }] }, /dropped count "many" is not a whole number/],
    [
      { tags: { 'otlp.link.0': 'abc|b7ad6b7169203331||{}|0' } },
      /otlp.link.0.*trace ID: "abc" is not 32 hex digits/,
    ],
  ])('refuses a pipe form that does not parse: %j', (zipkin, message) => {
    expect(() => onlySpan(base(zipkin))).toThrow(ZipkinDecodeError);
    expect(() => onlySpan(base(zipkin))).toThrow(message);
  });
});

describe('parse_string_tags', () => {
  it('types tags that look like numbers and booleans, as the Collector does', () => {
    const tags = {
      int: '-42',
      big: '99999999999999999999',
      float: '2.5',
      yes: 'true',
      word: 'True',
      empty: '',
      exp: '1e3',
    };
    expect(onlySpan(base({ tags }), true).attributes).toEqual(
      attrs({
        int: -42n,
        big: 9223372036854775807n,
        float: 2.5,
        yes: true,
        word: 'True',
        empty: '',
        exp: '1e3',
      }),
    );
    expect(onlySpan(base({ tags }), false).attributes).toEqual(attrs(tags));
  });
});
