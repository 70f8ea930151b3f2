/**
 * Test fixtures only: search traces from compact descriptions, and helpers that name what a query
 * returns. Not imported by the module itself.
 */
import {
  type AttributeValue,
  type SearchSpan,
  type SearchTrace,
  searchTraceOf,
} from '../search-model/search-trace';
import type { KindName, StatusName } from './ast';
import { KIND_CODES, STATUS_CODES } from './literals';
import { parseTraceQL } from './query';

export interface SpanSpec {
  /** Hex, padded to 16 digits; also the default name. */
  id: string;
  parent?: string;
  name?: string;
  /** Sets `serviceName` and `resource.service.name`. */
  service?: string;
  kind?: KindName;
  status?: StatusName;
  statusMessage?: string;
  /** Start offset from the trace's start, and duration, in milliseconds. */
  startMs?: number;
  durationMs?: number;
  attrs?: Record<string, AttributeValue>;
  resource?: Record<string, AttributeValue>;
  /** `atMs` is the offset from the span's start. */
  events?: { name: string; atMs?: number; attrs?: Record<string, AttributeValue> }[];
  links?: { traceId: string; spanId: string; attrs?: Record<string, AttributeValue> }[];
}

const BASE_NS = 1_700_000_000_000_000_000n;
const MS = 1_000_000;

export const spanId = (id: string): string => id.padStart(16, '0');

export function buildTrace(specs: readonly SpanSpec[], traceId = 'abc'): SearchTrace {
  const spans: SearchSpan[] = specs.map((s) => {
    const start = BASE_NS + BigInt(Math.round((s.startMs ?? 0) * MS));
    const resource = new Map<string, AttributeValue>(Object.entries(s.resource ?? {}));
    if (s.service !== undefined) resource.set('service.name', s.service);
    return {
      spanId: spanId(s.id),
      parentSpanId: s.parent === undefined ? '' : spanId(s.parent),
      name: s.name ?? s.id,
      serviceName: s.service ?? '',
      kind: KIND_CODES[s.kind ?? 'unspecified'],
      statusCode: STATUS_CODES[s.status ?? 'unset'],
      statusMessage: s.statusMessage ?? '',
      startUnixNano: start,
      durationNanos: Math.round((s.durationMs ?? 1) * MS),
      attributes: new Map(Object.entries(s.attrs ?? {})),
      resource,
      events: (s.events ?? []).map((e) => ({
        name: e.name,
        timeUnixNano: start + BigInt(Math.round((e.atMs ?? 0) * MS)),
        attributes: new Map(Object.entries(e.attrs ?? {})),
      })),
      links: (s.links ?? []).map((l) => ({
        traceId: l.traceId.padStart(32, '0'),
        spanId: spanId(l.spanId),
        attributes: new Map(Object.entries(l.attrs ?? {})),
      })),
    };
  });
  return searchTraceOf(traceId.padStart(32, '0'), spans);
}

/** The names of the spans of each spanset the query yields for the trace. */
export function spansetNames(query: string, trace: SearchTrace): string[][] {
  return parseTraceQL(query)
    .evaluate(trace)
    .map((set) => set.spans.map((s) => s.span.name));
}

/** The names of all spans the query returns (across spansets), sorted. */
export function matchedNames(query: string, trace: SearchTrace): string[] {
  return spansetNames(query, trace).flat().sort();
}
