import { describe, expect, it } from 'vitest';
import type { LogQuery } from './ast';
import { parseLogQL } from './parser';
import { compileMatchers, compilePipeline, type PipelineEntry } from './pipeline';

function run(query: string, line: string, meta?: Record<string, string>) {
  const parsed = parseLogQL(query) as LogQuery;
  const pipeline = compilePipeline(parsed.pipeline);
  const entry: PipelineEntry = { line, stream: { service_name: 'api', level: 'x' }, meta, parsed: undefined };
  return pipeline.run(entry) ? entry : undefined;
}

describe('LogQL pipeline evaluation', () => {
  it('applies chained line filters, including regex and or-alternatives', () => {
    expect(run('{a="b"} |= "GET" != "health"', 'GET /api 200')).toBeDefined();
    expect(run('{a="b"} |= "GET" != "health"', 'GET /health 200')).toBeUndefined();
    expect(run('{a="b"} |~ "status=5\\\\d\\\\d"', 'status=503')).toBeDefined();
    expect(run('{a="b"} !~ "status=5\\\\d\\\\d"', 'status=503')).toBeUndefined();
    expect(run('{a="b"} |= "x" or "y"', 'only y here')).toBeDefined();
  });

  it("reads RE2's inline case-insensitive flag, in line and label filters", () => {
    expect(run('{a="b"} |~ "(?i)error"', 'level=ERROR disk full')).toBeDefined();
    expect(run('{a="b"} |~ "(?i)error"', 'all good')).toBeUndefined();
    expect(run('{a="b"} | logfmt | severity=~"(?i)err.*"', 'severity=ERROR')).toBeDefined();
  });

  it('extracts logfmt (quoted values, clashes renamed _extracted) and filters on it', () => {
    const entry = run('{a="b"} | logfmt', 'level=error msg="disk \\"full\\"" service_name=db');
    expect(entry?.parsed).toEqual({
      level_extracted: 'error',
      msg: 'disk "full"',
      service_name_extracted: 'db',
    });
    expect(run('{a="b"} | logfmt | latency > 1s', 'latency=1500ms')).toBeDefined();
    expect(run('{a="b"} | logfmt | latency > 1s', 'latency=900ms')).toBeUndefined();
    expect(run('{a="b"} | logfmt | status >= 500 or status == 429', 'status=429')).toBeDefined();
    expect(run('{a="b"} | logfmt | status >= 500', 'status=abc')).toBeUndefined();
  });

  it('flattens JSON and marks lines that are not JSON', () => {
    expect(run('{a="b"} | json', '{"req":{"method":"GET","size":12},"tags":[1]}')?.parsed).toEqual({
      req_method: 'GET',
      req_size: '12',
    });
    expect(run('{a="b"} | json', 'plain text')?.parsed).toEqual({ __error__: 'JSONParserErr' });
    expect(run('{a="b"} | json | __error__=""', 'plain text')).toBeUndefined();
  });

  it('filters on structured metadata and stream labels directly', () => {
    expect(run('{a="b"} | trace_id="abc"', 'x', { trace_id: 'abc' })).toBeDefined();
    expect(run('{a="b"} | trace_id="abc"', 'x', { trace_id: 'def' })).toBeUndefined();
    expect(run('{a="b"} | service_name=~"a.i"', 'x')).toBeDefined();
    expect(run('{a="b"} | missing=""', 'x')).toBeDefined();
  });

  it('extracts named groups with regexp (RE2 (?P<name>) syntax) and drops labels', () => {
    const entry = run('{a="b"} | regexp `(?P<method>GET|POST) (?P<path>\\S+)`', 'POST /orders 201');
    expect(entry?.parsed).toEqual({ method: 'POST', path: '/orders' });
    const dropped = run('{a="b"} | json | drop __error__, trace_id', 'not json', {
      trace_id: 't',
      keep: 'k',
    });
    expect(dropped?.parsed).toEqual({});
    expect(dropped?.meta).toEqual({ keep: 'k' });
  });

  it('rewrites the line with line_format', () => {
    expect(run('{a="b"} | logfmt | line_format "{{.method}} {{ .path }}"', 'method=GET path=/x')?.line).toBe(
      'GET /x',
    );
  });

  it('matches stream selectors as Loki does (absent label is empty, regex anchored)', () => {
    const match = compileMatchers((parseLogQL('{service_name=~"ap", env!="prod"}') as LogQuery).matchers);
    expect(match({ service_name: 'ap' })).toBe(true);
    expect(match({ service_name: 'api' })).toBe(false);
    expect(match({ service_name: 'ap', env: 'prod' })).toBe(false);
  });
});

describe('LogQL pipeline work units', () => {
  const units = (query: string, line: string) =>
    compilePipeline((parseLogQL(query) as LogQuery).pipeline).units(line);

  it('counts a unit per stage (per value of a line filter) per 256 characters', () => {
    expect(units('{a="b"}', 'short')).toBe(1);
    expect(units('{a="b"} |= "x"', 'short')).toBe(1);
    expect(units('{a="b"} |= "x" or "y" != "z" | logfmt', 'short')).toBe(4);
    expect(units('{a="b"} |~ "x"', 'x'.repeat(256 * 1024))).toBe(1025);
    const twoHundred = Array.from({ length: 200 }, (_, i) => `!~ "a${i}"`).join(' ');
    expect(units(`{a="b"} ${twoHundred}`, 'short')).toBe(200);
  });
});
