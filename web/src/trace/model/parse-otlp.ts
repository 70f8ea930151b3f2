import { attributeText } from './attributes';
import { idToHex } from './ids';
import { epochSeconds, nanosSince } from './nanos';
import type {
  KeyValue,
  ParsedTrace,
  Resource,
  Scope,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from './types';
import { SPAN_KINDS, STATUS_CODES } from './types';

/** The loose shape of OTLP/Tempo JSON this parser reads; every field may be missing. */
interface RawSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: string | number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: { timeUnixNano?: string | number; name?: string; attributes?: KeyValue[] }[];
  links?: { traceId?: string; spanId?: string; attributes?: KeyValue[] }[];
  status?: { code?: string | number; message?: string };
}

interface RawScopeSpans {
  scope?: { name?: string; version?: string };
  instrumentationLibrary?: { name?: string; version?: string };
  spans?: RawSpan[];
}

export interface RawResourceSpans {
  resource?: { attributes?: KeyValue[] };
  scopeSpans?: RawScopeSpans[];
  instrumentationLibrarySpans?: RawScopeSpans[];
}

const NO_EVENTS: SpanEvent[] = [];
const NO_LINKS: SpanLink[] = [];
const NO_ATTRIBUTES: KeyValue[] = [];

function toKind(kind: string | number | undefined): SpanKind {
  if (typeof kind === 'number') return SPAN_KINDS[kind] ?? 'UNSPECIFIED';
  if (!kind) return 'UNSPECIFIED';
  const name = kind.replace(/^SPAN_KIND_/, '') as SpanKind;
  return SPAN_KINDS.includes(name) ? name : 'UNSPECIFIED';
}

function toStatusCode(code: string | number | undefined): StatusCode {
  if (typeof code === 'number') return STATUS_CODES[code] ?? 'UNSET';
  if (!code) return 'UNSET';
  const name = code.replace(/^STATUS_CODE_/, '') as StatusCode;
  return STATUS_CODES.includes(name) ? name : 'UNSET';
}

function firstStartTime(batches: RawResourceSpans[]): string | number | undefined {
  for (const batch of batches) {
    for (const scopeSpans of batch.scopeSpans ?? batch.instrumentationLibrarySpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (span.startTimeUnixNano !== undefined) return span.startTimeUnixNano;
      }
    }
  }
  return undefined;
}

function parseSpan(raw: RawSpan, baseSec: number, traceId: string, resource: Resource, scope: Scope): Span {
  const startNs = nanosSince(raw.startTimeUnixNano, baseSec);
  const endNs = raw.endTimeUnixNano === undefined ? startNs : nanosSince(raw.endTimeUnixNano, baseSec);
  return {
    traceId,
    spanId: idToHex(raw.spanId),
    parentSpanId: idToHex(raw.parentSpanId),
    name: raw.name ?? '',
    kind: toKind(raw.kind),
    statusCode: toStatusCode(raw.status?.code),
    statusMessage: raw.status?.message ?? '',
    startNs,
    durationNs: Math.max(0, endNs - startNs),
    attributes: raw.attributes ?? NO_ATTRIBUTES,
    events: raw.events?.length
      ? raw.events.map((e) => ({
          timeNs: nanosSince(e.timeUnixNano, baseSec),
          name: e.name ?? '',
          attributes: e.attributes ?? NO_ATTRIBUTES,
        }))
      : NO_EVENTS,
    links: raw.links?.length
      ? raw.links.map((l) => ({
          traceId: idToHex(l.traceId),
          spanId: idToHex(l.spanId),
          attributes: l.attributes ?? NO_ATTRIBUTES,
        }))
      : NO_LINKS,
    resource,
    scope,
  };
}

/**
 * Normalises OTLP `resourceSpans` (Tempo's base64 IDs and enum names, or OTLP JSON's hex IDs and
 * enum numbers) into flat spans. Linear in the number of spans; the input is not modified.
 */
export function parseResourceSpans(batches: RawResourceSpans[], format: ParsedTrace['format']): ParsedTrace {
  const baseSec = epochSeconds(firstStartTime(batches));
  const spans: Span[] = [];
  // Every span repeats the trace ID: decode each distinct one once.
  let lastRawTraceId: string | undefined;
  let lastTraceId = '';
  for (const batch of batches) {
    const attributes = batch.resource?.attributes ?? [];
    const resource: Resource = { serviceName: attributeText(attributes, 'service.name') ?? '', attributes };
    for (const scopeSpans of batch.scopeSpans ?? batch.instrumentationLibrarySpans ?? []) {
      const rawScope = scopeSpans.scope ?? scopeSpans.instrumentationLibrary ?? {};
      const scope: Scope = { name: rawScope.name ?? '', version: rawScope.version ?? '' };
      for (const raw of scopeSpans.spans ?? []) {
        if (raw.traceId !== lastRawTraceId) {
          lastRawTraceId = raw.traceId;
          lastTraceId = idToHex(raw.traceId);
        }
        spans.push(parseSpan(raw, baseSec, lastTraceId, resource, scope));
      }
    }
  }
  return { traceId: spans[0]?.traceId ?? '', baseSec, spans, format };
}
