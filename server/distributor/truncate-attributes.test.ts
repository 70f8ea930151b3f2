import { describe, expect, it } from 'vitest';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../integration/support/otlp-request';
import { otlpProtoTypes } from '../otlp/protobuf-root';
import { truncateLongAttributes, truncateString } from './truncate-attributes';

type Json = Record<string, unknown>;
const decode = (data: Uint8Array) => {
  const { TracesData } = otlpProtoTypes();
  return TracesData.toObject(TracesData.decode(data), { longs: String, bytes: String }) as {
    resourceSpans: {
      resource: { attributes: Json[] };
      scopeSpans: { spans: { attributes: Json[]; name: string }[] }[];
    }[];
  };
};

describe('max_attribute_bytes', () => {
  it('cuts long string values to the limit with a marker naming the original size, keeping the span', () => {
    const traceId = newTraceId();
    const long = 'x'.repeat(500);
    const body = encodeTraceRequest([
      {
        service: 'checkout',
        attributes: { 'host.tags': long },
        spans: [
          simpleSpan(traceId, 'SELECT', 1_700_000_000_000, {
            attributes: { 'db.statement': long, short: 'ok', list: [long, 'b'] },
          }),
        ],
      },
    ]);
    const { data, truncated } = truncateLongAttributes(body, 100);
    expect(truncated).toBe(3);
    const rs = decode(data).resourceSpans[0];
    const span = rs.scopeSpans[0].spans[0];
    const value = (list: Json[], key: string) => (list.find((a) => a.key === key) as { value: Json }).value;
    const statement = value(span.attributes, 'db.statement').stringValue as string;
    expect(Buffer.byteLength(statement)).toBeLessThanOrEqual(100);
    expect(statement).toMatch(/^x+…\[truncated from 500 bytes\]$/);
    expect(value(span.attributes, 'short').stringValue).toBe('ok');
    expect(value(rs.resource.attributes, 'host.tags').stringValue).toBe(statement);
    const list = (value(span.attributes, 'list').arrayValue as { values: Json[] }).values;
    expect(list.map((v) => v.stringValue)).toEqual([statement, 'b']);
    expect(span.name).toBe('SELECT');
  });

  it('leaves a request without long values untouched (the same bytes)', () => {
    const body = encodeTraceRequest([
      {
        service: 'checkout',
        spans: [simpleSpan(newTraceId(), 'GET', 1_700_000_000_000, { attributes: { a: 'short' } })],
      },
    ]);
    const result = truncateLongAttributes(body, 100);
    expect(result.truncated).toBe(0);
    expect(result.data).toBe(body);
  });

  it('never cuts inside a UTF-8 character', () => {
    const text = 'é'.repeat(200); // 2 bytes each
    for (const limit of [60, 61, 62, 63]) {
      const cut = truncateString(text, limit);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
      expect(cut).not.toContain('\uFFFD');
      expect(cut.endsWith('…[truncated from 400 bytes]')).toBe(true);
    }
  });
});
