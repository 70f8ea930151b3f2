import { attributeText, isTruthyValue } from './attributes';
import type { AnyValue, KeyValue, ParsedTrace, Resource, Span, SpanKind, SpanLink } from './types';

interface JaegerTag {
  key: string;
  type?: string;
  value?: unknown;
}

interface JaegerSpan {
  traceID?: string;
  spanID?: string;
  operationName?: string;
  references?: { refType?: string; traceID?: string; spanID?: string }[];
  /** Microseconds since the epoch. */
  startTime?: number;
  duration?: number;
  tags?: JaegerTag[];
  logs?: { timestamp?: number; fields?: JaegerTag[] }[];
  processID?: string;
}

export interface JaegerTrace {
  traceID?: string;
  spans?: JaegerSpan[];
  processes?: Record<string, { serviceName?: string; tags?: JaegerTag[] }>;
}

const KIND_BY_TAG: Record<string, SpanKind> = {
  server: 'SERVER',
  client: 'CLIENT',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
  internal: 'INTERNAL',
};

function tagToValue(tag: JaegerTag): AnyValue {
  const v = tag.value;
  switch (tag.type) {
    case 'bool':
      return { boolValue: v === true || v === 'true' };
    case 'int64':
      return { intValue: String(v) };
    case 'float64':
      return { doubleValue: Number(v) };
    case 'binary':
      return { bytesValue: String(v) };
    default:
      if (typeof v === 'boolean') return { boolValue: v };
      if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
      return { stringValue: String(v ?? '') };
  }
}

function tagsToAttributes(tags: JaegerTag[] | undefined): KeyValue[] {
  return (tags ?? []).map((tag) => ({ key: tag.key, value: tagToValue(tag) }));
}

const padId = (id: string | undefined, length: number) => (id ?? '').toLowerCase().padStart(length, '0');

function parseJaegerSpan(raw: JaegerSpan, baseUs: number, resource: Resource): Span {
  const attributes = tagsToAttributes(raw.tags);
  const refs = raw.references ?? [];
  const parentRef =
    refs.find((r) => r.refType === 'CHILD_OF') ?? refs.find((r) => r.refType === 'FOLLOWS_FROM');
  const links: SpanLink[] = refs
    .filter((r) => r !== parentRef)
    .map((r) => ({ traceId: padId(r.traceID, 32), spanId: padId(r.spanID, 16), attributes: [] }));
  const errorTag = attributes.find((kv) => kv.key === 'error');
  const otelStatus = attributeText(attributes, 'otel.status_code');
  const isError = (errorTag !== undefined && isTruthyValue(errorTag.value)) || otelStatus === 'ERROR';
  return {
    traceId: padId(raw.traceID, 32),
    spanId: padId(raw.spanID, 16),
    parentSpanId: parentRef ? padId(parentRef.spanID, 16) : '',
    name: raw.operationName ?? '',
    kind: KIND_BY_TAG[attributeText(attributes, 'span.kind') ?? ''] ?? 'UNSPECIFIED',
    statusCode: isError ? 'ERROR' : otelStatus === 'OK' ? 'OK' : 'UNSET',
    statusMessage: attributeText(attributes, 'otel.status_description') ?? '',
    startNs: ((raw.startTime ?? 0) - baseUs) * 1000,
    durationNs: (raw.duration ?? 0) * 1000,
    attributes,
    events: (raw.logs ?? []).map((log) => {
      const fields = tagsToAttributes(log.fields);
      return {
        timeNs: ((log.timestamp ?? 0) - baseUs) * 1000,
        name: attributeText(fields, 'event') ?? attributeText(fields, 'message') ?? 'log',
        attributes: fields,
      };
    }),
    links,
    resource,
    scope: { name: attributeText(attributes, 'otel.library.name') ?? '', version: '' },
  };
}

/** Normalises one trace of Jaeger's JSON (`{data: [trace]}` as its API and UI export it). */
export function parseJaegerTrace(trace: JaegerTrace): ParsedTrace {
  const rawSpans = trace.spans ?? [];
  const baseSec = Math.floor((rawSpans[0]?.startTime ?? 0) / 1e6);
  const baseUs = baseSec * 1e6;
  const resources = new Map<string, Resource>();
  for (const [id, process] of Object.entries(trace.processes ?? {})) {
    resources.set(id, { serviceName: process.serviceName ?? '', attributes: tagsToAttributes(process.tags) });
  }
  const unknown: Resource = { serviceName: '', attributes: [] };
  const spans = rawSpans.map((raw) =>
    parseJaegerSpan(raw, baseUs, resources.get(raw.processID ?? '') ?? unknown),
  );
  return { traceId: padId(trace.traceID ?? spans[0]?.traceId, 32), baseSec, spans, format: 'jaeger' };
}
