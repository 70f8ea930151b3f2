import { applySuggestion, quoteValue, spanLogsQuery, suggestionContext, traceLogsQuery } from './logql';

describe('LogQL helpers', () => {
  it('quotes label values with backslashes and quotes escaped', () => {
    expect(quoteValue('plain')).toBe('"plain"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue('C:\\temp')).toBe('"C:\\\\temp"');
  });

  it('builds the trace-to-logs queries the log store answers', () => {
    expect(spanLogsQuery('checkout', 'B7AD6B7169203331')).toBe(
      '{service_name="checkout"} | span_id="b7ad6b7169203331"',
    );
    expect(traceLogsQuery('check"out', '4BF9')).toBe('{service_name="check\\"out"} | trace_id="4bf9"');
    expect(spanLogsQuery('', 'ab')).toBe('{service_name=~".+"} | span_id="ab"');
  });

  it('knows when the cursor types a label name', () => {
    expect(suggestionContext('{', 1)).toEqual({ kind: 'name', prefix: '', start: 1 });
    expect(suggestionContext('{serv', 5)).toEqual({ kind: 'name', prefix: 'serv', start: 1 });
    expect(suggestionContext('{a="b", le', 10)).toEqual({ kind: 'name', prefix: 'le', start: 8 });
  });

  it('knows when the cursor types a value, and of which label', () => {
    expect(suggestionContext('{service_name="fr', 17)).toEqual({
      kind: 'value',
      name: 'service_name',
      prefix: 'fr',
      start: 15,
    });
    expect(suggestionContext('{level=~"', 9)).toMatchObject({ kind: 'value', name: 'level', prefix: '' });
  });

  it('suggests nothing outside the selector or inside a finished value', () => {
    expect(suggestionContext('{a="b"} |= "x', 13)).toBeNull();
    expect(suggestionContext('{a="b c', 5)).toMatchObject({ kind: 'value', prefix: 'b' });
    expect(suggestionContext('{a="b"', 6)).toBeNull();
    expect(suggestionContext('abc', 3)).toBeNull();
  });

  it('puts a chosen name or value in place, ready to go on typing', () => {
    const name = suggestionContext('{serv', 5)!;
    expect(applySuggestion('{serv', 5, name, 'service_name')).toEqual({
      text: '{service_name="',
      cursor: 15,
    });
    const value = suggestionContext('{service_name="fr"}', 17)!;
    expect(applySuggestion('{service_name="fr"}', 17, value, 'frontend')).toEqual({
      text: '{service_name="frontend"}',
      cursor: 24,
    });
  });
});
