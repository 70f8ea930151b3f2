import { applyCompletion, completionContext, scopeOf } from './traceql-complete';

const at = (text: string) => completionContext(text, text.length);

describe('TraceQL completion context', () => {
  it('is an attribute right after { or &&, and nothing outside braces', () => {
    expect(at('{ ')).toEqual({ kind: 'attribute', prefix: '', start: 2 });
    expect(at('{ span.http.me')).toEqual({ kind: 'attribute', prefix: 'span.http.me', start: 2 });
    expect(at('{ status = error && res')).toEqual({ kind: 'attribute', prefix: 'res', start: 20 });
    expect(at('')).toBeNull();
    expect(at('{ status = error } | count() > ')).toBeNull();
  });

  it('is an operator after an attribute and a space', () => {
    expect(at('{ span.http.method ')).toEqual({
      kind: 'operator',
      attribute: 'span.http.method',
      prefix: '',
      start: 19,
    });
    expect(at('{ duration >')).toMatchObject({ kind: 'value', attribute: 'duration', prefix: '' });
  });

  it('is a value after an operator, quoted or not', () => {
    expect(at('{ status = er')).toEqual({
      kind: 'value',
      attribute: 'status',
      prefix: 'er',
      start: 11,
      quoted: false,
    });
    expect(at('{ resource.service.name = "fr')).toEqual({
      kind: 'value',
      attribute: 'resource.service.name',
      prefix: 'fr',
      start: 26,
      quoted: true,
    });
    // && inside a string is text, not a new condition.
    expect(at('{ name = "a && b')).toMatchObject({ kind: 'value', attribute: 'name', prefix: 'a && b' });
  });

  it('offers combinators after a whole condition', () => {
    expect(at('{ name = "GET /" ')).toEqual({ kind: 'combinator', prefix: '', start: 17 });
    expect(at('{ kind = server &')).toEqual({ kind: 'combinator', prefix: '&', start: 16 });
  });

  it('tells the scope of an attribute prefix', () => {
    expect(scopeOf('span.http')).toBe('span');
    expect(scopeOf('resource.')).toBe('resource');
    expect(scopeOf('.http')).toBe('unscoped');
    expect(scopeOf('na')).toBe('');
  });
});

describe('applying a completion', () => {
  it('replaces the typed part and puts the cursor after the insertion', () => {
    const text = '{ span.http.me }';
    const context = completionContext(text, 14)!;
    expect(applyCompletion(text, 14, context, 'span.http.method ')).toEqual({
      text: '{ span.http.method }',
      cursor: 19,
    });
  });

  it('replaces a whole quoted value, closing quote included', () => {
    const text = '{ name = "GE" }';
    const context = completionContext(text, 11)!;
    expect(applyCompletion(text, 11, context, '"GET /checkout" ')).toEqual({
      text: '{ name = "GET /checkout" }',
      cursor: 25,
    });
  });
});
