import { encodeExportTraceServiceRequest } from '../../otlp/otlp-traces-encoder';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { parseZipkinJson } from './zipkin-json';
import { zipkinToOtlp } from './zipkin-to-otlp';

/**
 * For the translator's tests: Zipkin v2 JSON spans in, the exact OTLP out. The translator's
 * output is encoded as the ExportTraceServiceRequest the distributor receives, decoded again with
 * the OTLP protos and shown as OTLP/JSON (IDs in hex, 64-bit integers as strings, enums by name,
 * defaults left out).
 */

export type Json = Record<string, unknown>;

export function otlpOf(spans: Json[], parseStringTags = false): Json[] {
  const request = encodeExportTraceServiceRequest(
    zipkinToOtlp(parseZipkinJson(JSON.stringify(spans)), { parseStringTags }),
  );
  const { ExportTraceServiceRequest } = otlpProtoTypes();
  const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(request), {
    longs: String,
    enums: String,
    bytes: String,
  });
  return hexIds(decoded.resourceSpans ?? []) as Json[];
}

/** OTLP/JSON writes trace and span IDs in hex. */
export function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      ['traceId', 'spanId', 'parentSpanId'].includes(k)
        ? [k, Buffer.from(v as string, 'base64').toString('hex')]
        : [k, hexIds(v)],
    ),
  );
}

/** Attributes as OTLP/JSON KeyValues: string, bigint (int64), boolean, number (double). */
export function attrs(values: Record<string, string | bigint | boolean | number>): Json[] {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'bigint'
          ? { intValue: String(v) }
          : typeof v === 'boolean'
            ? { boolValue: v }
            : { doubleValue: v },
  }));
}

/** The only span of a single-span request. */
export function onlySpan(zipkin: Json, parseStringTags = false): Json {
  const [rs] = otlpOf([zipkin], parseStringTags);
  const [ss] = rs.scopeSpans as Json[];
  const [span] = ss.spans as Json[];
  return span;
}

export const TRACE = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
export const base = (extra: Json = {}): Json => ({
  traceId: TRACE,
  id: '352bff9a74ca9ad2',
  name: 'op',
  timestamp: 1_700_000_000_123_456,
  duration: 1_500,
  localEndpoint: { serviceName: 'checkout' },
  ...extra,
});
