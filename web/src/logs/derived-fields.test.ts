// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Grafana URL templates are written with ${…} on purpose
import { parse } from 'yaml';
import type { DerivedField } from '../api/client';
import {
  compileDerivedFields,
  lineSegments,
  linkTarget,
  renderUrlTemplate,
  rowDerivedLinks,
} from './derived-fields';
import type { LogRow } from './log-rows';

// The snippet users copy from Grafana's Loki provisioning, exactly.
const SNIPPET = `
derivedFields:
  - name: TraceID
    matcherRegex: "trace_id=(\\\\w+)"
    url: "\${__value.raw}"
    datasourceUid: tempo
`;
const snippetFields = () => (parse(SNIPPET) as { derivedFields: DerivedField[] }).derivedFields;

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function row(line: string, structuredMetadata: Record<string, string> = {}): LogRow {
  return {
    id: '1',
    timeNs: '1715679000000000000',
    timeMs: 1715679000000,
    line,
    labels: { service_name: 'checkout' },
    structuredMetadata,
    parsed: {},
    level: 'info',
  };
}

describe('derived fields', () => {
  it('reads the provisioning snippet: YAML "\\\\w" is the regex \\w', () => {
    const [field] = snippetFields();
    expect(field.matcherRegex).toBe('trace_id=(\\w+)');
    expect(field.url).toBe('${__value.raw}');
    const { compiled, problems } = compileDerivedFields([field]);
    expect(problems).toEqual([]);
    const segments = lineSegments(`order placed trace_id=${TRACE} total=12.50`, compiled);
    expect(segments.map((s) => s.text)).toEqual(['order placed trace_id=', TRACE, ' total=12.50']);
    expect(segments[1].link).toMatchObject({
      name: 'TraceID',
      value: TRACE,
      target: { kind: 'trace', traceId: TRACE },
    });
  });

  it('links every match in a line, and leaves a line without one as it is', () => {
    const { compiled } = compileDerivedFields(snippetFields());
    const linked = lineSegments('retry trace_id=aa1 then trace_id=bb2', compiled).filter((s) => s.link);
    expect(linked.map((s) => s.text)).toEqual(['aa1', 'bb2']);
    expect(lineSegments('no ids here', compiled)).toEqual([{ text: 'no ids here' }]);
  });

  it('renders Grafana value variables in URL templates', () => {
    expect(renderUrlTemplate('https://ci.example/run/${__value.raw}', '42')).toBe(
      'https://ci.example/run/42',
    );
    expect(renderUrlTemplate('${__value.text}|$__value.raw', 'v')).toBe('v|v');
    expect(renderUrlTemplate('${__from}-${__value.raw}', 'v')).toBe('${__from}-v');
  });

  it('treats url as the trace query when a data source is set, and as an external link otherwise', () => {
    expect(
      linkTarget({ name: 't', matcherRegex: 'x', datasourceUid: 'tempo', url: '${__value.raw}' }, 'ab'),
    ).toEqual({ kind: 'trace', traceId: 'ab' });
    expect(linkTarget({ name: 't', matcherRegex: 'x', datasourceUid: 'tempo' }, 'ab')).toEqual({
      kind: 'trace',
      traceId: 'ab',
    });
    expect(linkTarget({ name: 'build', matcherRegex: 'x', url: 'https://ci/${__value.raw}' }, '7')).toEqual({
      kind: 'external',
      url: 'https://ci/7',
    });
    expect(linkTarget({ name: 'nothing', matcherRegex: 'x' }, '7')).toBeUndefined();
  });

  it('gives OTLP records a trace link without any regex, named after the configured field', () => {
    const { compiled } = compileDerivedFields(snippetFields());
    const links = rowDerivedLinks(
      row('payment declined', { trace_id: TRACE, span_id: 'b7ad6b7169203331' }),
      compiled,
    );
    expect(links).toEqual([{ name: 'TraceID', value: TRACE, target: { kind: 'trace', traceId: TRACE } }]);
    const unnamed = rowDerivedLinks(row('payment declined', { trace_id: TRACE }), []);
    expect(unnamed[0].name).toBe('Trace');
  });

  it('lists a trace found both in the line and in the metadata once', () => {
    const { compiled } = compileDerivedFields(snippetFields());
    const links = rowDerivedLinks(row(`trace_id=${TRACE}`, { trace_id: TRACE }), compiled);
    expect(links).toHaveLength(1);
  });

  it('reads label-matched fields from labels or metadata', () => {
    const { compiled } = compileDerivedFields([
      { name: 'Pod', matcherType: 'label', matcherRegex: 'pod', url: 'https://k8s/${__value.raw}' },
    ]);
    const links = rowDerivedLinks(row('x', { pod: 'web-1' }), compiled);
    expect(links).toEqual([
      { name: 'Pod', value: 'web-1', target: { kind: 'external', url: 'https://k8s/web-1' } },
    ]);
  });

  it('reports a regex JavaScript cannot read and keeps the other fields', () => {
    const { compiled, problems } = compileDerivedFields([
      { name: 'Broken', matcherRegex: 'trace_id=(\\w+' },
      ...snippetFields(),
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Broken');
    expect(compiled.map((c) => c.field.name)).toEqual(['TraceID']);
  });
});
