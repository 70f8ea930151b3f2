import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { otlpProtoTypes } from './protobuf-root';

const { ExportTraceServiceRequest } = otlpProtoTypes();

interface Attribute {
  key: string;
  value: { stringValue?: string; intValue?: string };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: string;
  attributes: Attribute[];
  events?: { name: string; attributes: Attribute[] }[];
  links?: unknown[];
  status: { code?: string };
}
interface ResourceSpans {
  resource: { attributes: Attribute[] };
  scopeSpans: { spans: Span[] }[];
}

function decodeAll(requests: Buffer[]): ResourceSpans[] {
  return requests.flatMap(
    (r) =>
      ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(r), {
        enums: String,
        bytes: String,
        longs: String,
      }).resourceSpans,
  );
}

const attr = (attributes: Attribute[], key: string) => attributes.find((a) => a.key === key)?.value;

describe('generateTraceRequests (synthetic fixture)', () => {
  const opts = { traces: 300, spansPerTrace: [4, 30] as [number, number], spansPerRequest: 100, seed: 42 };
  const generated = generateTraceRequests(opts);
  const resources = decodeAll(generated.requests);
  const spans = resources.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));

  it('is deterministic for a seed and differs across seeds', () => {
    const bytes = (requests: Buffer[]) => Buffer.concat(requests);
    expect(bytes(generateTraceRequests(opts).requests).equals(bytes(generated.requests))).toBe(true);
    expect(
      bytes(generateTraceRequests({ ...opts, seed: 43 }).requests).equals(bytes(generated.requests)),
    ).toBe(false);
  });

  it('accounts for what it generated', () => {
    expect(spans.length).toBe(generated.spanCount);
    expect(generated.rawBytes).toBe(generated.requests.reduce((n, r) => n + r.length, 0));
    expect(new Set(generated.traceIds).size).toBe(opts.traces);
    expect(generated.traceIds.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(generated.requests.length).toBe(Math.ceil(generated.spanCount / opts.spansPerRequest));
  });

  it('produces spans of a realistic size (250-350 bytes on average)', () => {
    const perSpan = generated.rawBytes / generated.spanCount;
    expect(perSpan).toBeGreaterThan(250);
    expect(perSpan).toBeLessThan(350);
  });

  it('describes 8 services with full resources', () => {
    const names = new Set(resources.map((rs) => attr(rs.resource.attributes, 'service.name')?.stringValue));
    expect(names.size).toBe(8);
    for (const key of [
      'host.name',
      'telemetry.sdk.name',
      'telemetry.sdk.language',
      'telemetry.sdk.version',
    ]) {
      expect(resources.every((rs) => attr(rs.resource.attributes, key) !== undefined)).toBe(true);
    }
  });

  it('builds proper trees: one root per trace, every parent in its own trace', () => {
    const byTrace = new Map<string, Span[]>();
    for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    expect(byTrace.size).toBe(opts.traces);
    for (const traceSpans of byTrace.values()) {
      const ids = new Set(traceSpans.map((s) => s.spanId));
      expect(traceSpans.filter((s) => !s.parentSpanId)).toHaveLength(1);
      expect(traceSpans.every((s) => !s.parentSpanId || ids.has(s.parentSpanId))).toBe(true);
    }
    expect(new Set(spans.map((s) => s.kind))).toEqual(
      new Set(['SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_INTERNAL']),
    );
  });

  it('mixes HTTP and database spans with high-cardinality attributes', () => {
    const statements = spans.flatMap((s) => attr(s.attributes, 'db.statement')?.stringValue ?? []);
    expect(statements.length).toBeGreaterThan(spans.length / 10);
    expect(statements.every((q) => q.length >= 80 && q.length <= 150)).toBe(true);
    const users = new Set(spans.flatMap((s) => attr(s.attributes, 'user.id')?.stringValue ?? []));
    expect(users.size).toBeGreaterThan(opts.traces);
    expect(spans.some((s) => attr(s.attributes, 'http.route'))).toBe(true);
  });

  it('has about 3% errors, each with an exception event carrying a stack trace, and a few links', () => {
    const errors = spans.filter((s) => s.status.code === 'STATUS_CODE_ERROR');
    expect(errors.length / spans.length).toBeGreaterThan(0.01);
    expect(errors.length / spans.length).toBeLessThan(0.06);
    for (const span of errors) {
      const exception = span.events?.find((e) => e.name === 'exception');
      expect(attr(exception?.attributes ?? [], 'exception.stacktrace')?.stringValue?.length).toBeGreaterThan(
        500,
      );
    }
    expect(spans.some((s) => (s.links ?? []).length > 0)).toBe(true);
  });

  it('puts spans of several traces in one request', () => {
    const traceCounts = generated.requests.map(
      (r) =>
        new Set(decodeAll([r]).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId))))
          .size,
    );
    expect(Math.max(...traceCounts)).toBeGreaterThan(1);
  });
});
