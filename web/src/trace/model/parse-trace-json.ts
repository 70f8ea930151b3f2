import { type JaegerTrace, parseJaegerTrace } from './parse-jaeger';
import { parseResourceSpans, type RawResourceSpans } from './parse-otlp';
import type { ParsedTrace } from './types';

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads any trace JSON the UI accepts, telling the shapes apart by their top-level keys:
 * Tempo v2 `{trace: {resourceSpans}}`, Tempo v1 `{batches}`, OTLP `{resourceSpans}` (hex or base64
 * IDs) and Jaeger `{data: [{traceID, spans, processes}]}` (the first trace is used).
 * An empty trace yields zero spans; an unknown shape throws `TraceFormatError`.
 */
export function parseTraceJson(json: unknown): ParsedTrace {
  if (!isObject(json)) throw new TraceFormatError('Not a trace: expected a JSON object.');
  if (isObject(json.trace)) {
    const parsed = parseTraceJson(json.trace);
    const partial = json.status === 'PARTIAL';
    return partial ? { ...parsed, format: 'tempo', partialMessage: String(json.message ?? '') } : parsed;
  }
  if (Array.isArray(json.resourceSpans)) return parseOtlp(json.resourceSpans as RawResourceSpans[]);
  if (Array.isArray(json.batches)) return parseOtlp(json.batches as RawResourceSpans[]);
  if (Array.isArray(json.data)) {
    const first = json.data[0];
    if (!isObject(first)) throw new TraceFormatError('The Jaeger JSON holds no trace.');
    return parseJaegerTrace(first as JaegerTrace);
  }
  if (Array.isArray(json.spans) && isObject(json.processes)) return parseJaegerTrace(json as JaegerTrace);
  if (Object.keys(json).length === 0) return { traceId: '', baseSec: 0, spans: [], format: 'tempo' };
  throw new TraceFormatError(
    'Unrecognised trace JSON: expected Tempo ({"trace": …} or {"batches": …}), OTLP ({"resourceSpans": …}) or Jaeger ({"data": […]}).',
  );
}

function parseOtlp(batches: RawResourceSpans[]): ParsedTrace {
  const parsed = parseResourceSpans(batches, 'otlp');
  // Hex IDs mean an OTLP file; Tempo's API writes base64.
  const firstId = firstRawSpanId(batches);
  return { ...parsed, format: firstId && /^[0-9a-f]{16}$/i.test(firstId) ? 'otlp' : 'tempo' };
}

function firstRawSpanId(batches: RawResourceSpans[]): string | undefined {
  const scopes = batches[0]?.scopeSpans ?? batches[0]?.instrumentationLibrarySpans;
  return scopes?.[0]?.spans?.[0]?.spanId;
}
