import {
  AttributeMap,
  type OtlpEvent,
  type OtlpLink,
  type OtlpSpan,
  type OtlpValue,
  SpanKind,
  StatusCode,
  spanIdHex,
  traceIdHex,
} from '../../otlp/otlp-traces-model';
import type { JaegerLog, JaegerProcess, JaegerSpan, JaegerSpanRef, JaegerTag } from './jaeger-model';
import { SpanRefType } from './jaeger-model';

/**
 * What the OpenTelemetry Collector's Jaeger translator (`pkg/translator/jaeger` in
 * opentelemetry-collector-contrib: `jaegerthrift_to_traces.go`, `jaegerproto_to_traces.go`)
 * does to one span and one process, the same for Thrift and protobuf: tags become typed
 * attributes; `span.kind` the kind; `error`, `otel.status_code`/`otel.status_description` and
 * `http.status_code` the status; logs events; references links; the parent comes from
 * `parentSpanId` or, failing that, a reference in the same trace.
 */

function tagToValue(tag: JaegerTag): OtlpValue {
  const v = tag.value;
  switch (v.type) {
    case 'string':
      return { string: v.value };
    case 'bool':
      return { bool: v.value };
    case 'long':
      return { int: v.value };
    case 'double':
      return { double: v.value };
    case 'binary':
      return { bytes: v.value };
    case 'unknown':
      return { string: `<Unknown Jaeger TagType "${v.typeName}">` };
  }
}

function putTags(tags: readonly JaegerTag[], into: AttributeMap): void {
  for (const tag of tags) into.put(tag.key, tagToValue(tag));
}

/**
 * The resource of a process: `service.name`, then its tags; `hostname` becomes `host.name` and
 * `jaeger.version` becomes `opencensus.exporterversion: Jaeger-<version>` (unless those are set).
 */
export function processToResource(process: JaegerProcess): AttributeMap {
  const attrs = new AttributeMap();
  if (process.serviceName === '' && process.tags === undefined) return attrs;
  if (process.serviceName !== '') attrs.put('service.name', { string: process.serviceName });
  putTags(process.tags ?? [], attrs);
  const hostname = attrs.get('hostname');
  if (hostname && !attrs.has('host.name')) {
    attrs.put('host.name', hostname);
    attrs.remove('hostname');
  }
  if (attrs.has('jaeger.version') && !attrs.has('opencensus.exporterversion')) {
    attrs.put('opencensus.exporterversion', { string: `Jaeger-${attrs.str('jaeger.version')}` });
    attrs.remove('jaeger.version');
  }
  return attrs;
}

/** `parentSpanId`, else the first CHILD_OF reference in the same trace, else the first FOLLOWS_FROM one. */
function parentSpanIdOf(span: JaegerSpan): bigint {
  if (span.parentSpanId !== 0n) return span.parentSpanId;
  let followsFrom: JaegerSpanRef | undefined;
  for (const ref of span.references) {
    if (ref.traceIdHigh !== span.traceIdHigh || ref.traceIdLow !== span.traceIdLow) continue;
    if (ref.refType === SpanRefType.CHILD_OF) return ref.spanId;
    if (!followsFrom && ref.refType === SpanRefType.FOLLOWS_FROM) followsFrom = ref;
  }
  return followsFrom?.spanId ?? 0n;
}

const KINDS = new Map<string, number>([
  ['client', SpanKind.CLIENT],
  ['server', SpanKind.SERVER],
  ['producer', SpanKind.PRODUCER],
  ['consumer', SpanKind.CONSUMER],
  ['internal', SpanKind.INTERNAL],
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An `http.status_code` as an integer (an int, or a string Go's `ParseInt` reads); else undefined. */
function httpStatusCode(value: OtlpValue | undefined): bigint | undefined {
  if (value && 'int' in value) return value.int;
  if (!value || !('string' in value) || !/^[+-]?[0-9]+$/.test(value.string)) return undefined;
  const code = BigInt(value.string);
  return code >= INT64_MIN && code <= INT64_MAX ? code : undefined;
}

/** 4xx: an error for a client, unset for a server; otherwise only 100–398 is not an error (sic). */
function statusOfHttpCode(code: bigint, kind: number): number {
  if (code >= 400n && code < 500n) {
    if (kind === SpanKind.CLIENT) return StatusCode.ERROR;
    if (kind === SpanKind.SERVER) return StatusCode.UNSET;
  }
  return code >= 100n && code < 399n ? StatusCode.UNSET : StatusCode.ERROR;
}

/** Takes `otel.status_description` out of the attributes, if there. */
function takeStatusDescription(attrs: AttributeMap): string | undefined {
  if (!attrs.has('otel.status_description')) return undefined;
  const description = attrs.str('otel.status_description');
  attrs.remove('otel.status_description');
  return description;
}

/** The span's status, taking the tags that made it out of the attributes. `error: true` wins. */
function takeStatus(attrs: AttributeMap, kind: number): OtlpSpan['status'] {
  let code: number = StatusCode.UNSET;
  let message = '';
  let exists = false;
  const error = attrs.get('error');
  if (error && 'bool' in error && error.bool) {
    code = StatusCode.ERROR;
    attrs.remove('error');
    exists = true;
    const description = takeStatusDescription(attrs);
    if (description !== undefined) message = description;
    else if (attrs.has('http.status_message')) message = attrs.str('http.status_message');
  }
  if (attrs.has('otel.status_code')) {
    if (!exists) {
      exists = true;
      const named = attrs.str('otel.status_code').toUpperCase();
      if (named === 'OK') code = StatusCode.OK;
      else if (named === 'ERROR') code = StatusCode.ERROR;
      message = takeStatusDescription(attrs) ?? message;
    }
    attrs.remove('otel.status_code');
  } else if (!exists && attrs.has('http.status_code')) {
    const httpCode = httpStatusCode(attrs.get('http.status_code'));
    if (httpCode !== undefined) {
      const fromHttp = statusOfHttpCode(httpCode, kind);
      if (fromHttp !== StatusCode.UNSET) {
        exists = true;
        code = fromHttp;
      }
      if (attrs.has('http.status_message')) message = attrs.str('http.status_message');
    }
  }
  return exists ? { code, message } : { code: StatusCode.UNSET, message: '' };
}

/** Each log an event; its `event` field, if any, is the event's name. */
function logsToEvents(logs: readonly JaegerLog[]): OtlpEvent[] {
  return logs.map((log) => {
    const event: OtlpEvent = { timeUnixNano: log.timeUnixNano, name: '', attributes: [] };
    if (log.fields.length === 0) return event;
    const attrs = new AttributeMap();
    putTags(log.fields, attrs);
    if (attrs.has('event')) {
      event.name = attrs.str('event');
      attrs.remove('event');
    }
    event.attributes = attrs.entries;
    return event;
  });
}

/** Every reference a link, but the CHILD_OF one naming the parent; `opentracing.ref_type` says which kind. */
function referencesToLinks(refs: readonly JaegerSpanRef[], parentSpanId: bigint): OtlpLink[] {
  const links: OtlpLink[] = [];
  for (const ref of refs) {
    const isChildOf = ref.refType === SpanRefType.CHILD_OF;
    if (ref.spanId === parentSpanId && isChildOf) continue;
    links.push({
      traceId: traceIdHex(ref.traceIdHigh, ref.traceIdLow),
      spanId: spanIdHex(ref.spanId),
      attributes: [
        { key: 'opentracing.ref_type', value: { string: isChildOf ? 'child_of' : 'follows_from' } },
      ],
    });
  }
  return links;
}

/**
 * One span. `w3c.tracestate` becomes the trace state only for protobuf spans: the Collector's
 * Thrift translator leaves it an attribute.
 */
export function translateSpan(span: JaegerSpan, options: { traceStateTag: boolean }): OtlpSpan {
  const parentSpanId = parentSpanIdOf(span);
  const attrs = new AttributeMap();
  putTags(span.tags, attrs);
  let kind: number = SpanKind.UNSPECIFIED;
  if (attrs.has('span.kind')) {
    kind = KINDS.get(attrs.str('span.kind')) ?? SpanKind.UNSPECIFIED;
    attrs.remove('span.kind');
  }
  const status = takeStatus(attrs, kind);
  let traceState = '';
  if (options.traceStateTag && attrs.has('w3c.tracestate')) {
    traceState = attrs.str('w3c.tracestate');
    attrs.remove('w3c.tracestate');
  }
  return {
    traceId: traceIdHex(span.traceIdHigh, span.traceIdLow),
    spanId: spanIdHex(span.spanId),
    parentSpanId: parentSpanId === 0n ? '' : spanIdHex(parentSpanId),
    traceState,
    name: span.operationName,
    kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: attrs.entries,
    events: logsToEvents(span.logs),
    links: referencesToLinks(span.references, parentSpanId),
    status,
  };
}
