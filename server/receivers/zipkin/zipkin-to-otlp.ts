import {
  AttributeMap,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpSpan,
  type OtlpValue,
  SpanKind,
  StatusCode,
} from '../../otlp/otlp-traces-model';
import {
  ENDPOINT_ATTRIBUTE,
  NO_SERVICE_NAME,
  NON_SPAN_TAGS,
  RESOURCE_TAGS,
  START_TIME_ABSENT,
  STATUS_CODE_VALUES,
  TAG,
} from './zipkin-conventions';
import type { ZipkinSpan } from './zipkin-span';
import { parseAnnotation, parseLinkTags, saturatedInt64 } from './zipkin-tag-formats';

export interface ZipkinTranslateOptions {
  /** The receiver's `parse_string_tags`: tags that look like integers, floats or booleans become those. */
  parseStringTags: boolean;
}

const KIND: Readonly<Record<string, number>> = {
  CLIENT: SpanKind.CLIENT,
  SERVER: SpanKind.SERVER,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};

/**
 * Zipkin v2 spans to OTLP, as the OpenTelemetry Collector's `zipkinv2.ToTranslator` does (Tempo
 * runs that receiver): spans grouped into one ResourceSpans per `localEndpoint.serviceName`
 * (`service.name`, sorted by name), and within it one ScopeSpans per `otel.library.name` (or
 * `otel.scope.name`) tag. The resource takes the resource-convention tags of the first span of its
 * service. Tags become string attributes, except the special ones (status, kind, trace state,
 * links); endpoints become `net.host.*`, `peer.service` and `net.peer.*`; annotations become events;
 * microseconds become nanoseconds. `debug` and `shared` are not carried, as in the Collector.
 * Throws `ZipkinDecodeError` for a link tag or an annotation in OTLP's pipe form that does not parse.
 */
export function zipkinToOtlp(
  spans: readonly ZipkinSpan[],
  options: ZipkinTranslateOptions,
): OtlpResourceSpans[] {
  const keyed = spans.map((span) => ({ span, service: localServiceName(span), scope: scopeName(span.tags) }));
  // Stable, so spans keep their order within a service and scope.
  keyed.sort((a, b) => compare(a.service, b.service) || compare(a.scope, b.scope));
  const out: OtlpResourceSpans[] = [];
  let current: OtlpResourceSpans | undefined;
  let currentService: string | undefined;
  let currentScope: string | undefined;
  for (const { span, service, scope } of keyed) {
    const tags = new Map(span.tags);
    if (!current || service !== currentService) {
      current = { resource: resourceOf(tags, service), scopeSpans: [] };
      out.push(current);
      currentService = service;
      currentScope = undefined;
    }
    if (scope !== currentScope) {
      current.scopeSpans.push({ scope: scopeOf(tags, scope), spans: [] });
      currentScope = scope;
    }
    current.scopeSpans[current.scopeSpans.length - 1].spans.push(toOtlpSpan(span, tags, options));
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function localServiceName(span: ZipkinSpan): string {
  return span.localEndpoint?.serviceName || NO_SERVICE_NAME;
}

function scopeName(tags: ReadonlyMap<string, string>): string {
  return tags.get(TAG.scopeName) ?? tags.get(TAG.libraryName) ?? '';
}

const str = (value: string): OtlpValue => ({ string: value });

function resourceOf(tags: Map<string, string>, service: string): OtlpKeyValue[] {
  const resource = new AttributeMap();
  if (service === NO_SERVICE_NAME) return resource.entries;
  resource.put(tags.get(TAG.serviceNameSource) || 'service.name', str(service));
  tags.delete(TAG.serviceNameSource);
  for (const [key, value] of tags) {
    if (!RESOURCE_TAGS.has(key)) continue;
    resource.put(key, str(value));
    tags.delete(key);
  }
  return resource.entries;
}

function scopeOf(tags: ReadonlyMap<string, string>, name: string): { name: string; version: string } {
  if (name === '') return { name: '', version: '' };
  return { name, version: tags.get(TAG.scopeVersion) ?? tags.get(TAG.libraryVersion) ?? '' };
}

function toOtlpSpan(span: ZipkinSpan, tags: Map<string, string>, options: ZipkinTranslateOptions): OtlpSpan {
  const at = `span ${span.id}`;
  const traceState = tags.get(TAG.traceState) ?? '';
  tags.delete(TAG.traceState);
  const kind = kindOf(span.kind, tags);
  const status = statusOf(tags);
  const links = parseLinkTags(tags, at);

  const attributes = new AttributeMap();
  for (const [key, value] of tags) {
    if (NON_SPAN_TAGS.has(key)) continue;
    attributes.put(key, options.parseStringTags ? typedTag(value) : str(value));
  }
  const local = span.localEndpoint;
  if (local?.ipv4 !== undefined) attributes.put(ENDPOINT_ATTRIBUTE.hostIp, str(local.ipv4));
  if (local?.ipv6 !== undefined) attributes.put(ENDPOINT_ATTRIBUTE.hostIp, str(local.ipv6));
  if (local && local.port > 0) attributes.put(ENDPOINT_ATTRIBUTE.hostPort, { int: BigInt(local.port) });
  const remote = span.remoteEndpoint;
  if (remote?.serviceName) attributes.put(ENDPOINT_ATTRIBUTE.peerService, str(remote.serviceName));
  if (remote?.ipv4 !== undefined) attributes.put(ENDPOINT_ATTRIBUTE.peerIp, str(remote.ipv4));
  if (remote?.ipv6 !== undefined) attributes.put(ENDPOINT_ATTRIBUTE.peerIp, str(remote.ipv6));
  if (remote && remote.port > 0) attributes.put(ENDPOINT_ATTRIBUTE.peerPort, { int: BigInt(remote.port) });

  const durationNano = span.durationUs * 1000n;
  let startTimeUnixNano = 0n;
  if (span.timestampUs === undefined) attributes.put(START_TIME_ABSENT, { bool: true });
  else startTimeUnixNano = span.timestampUs * 1000n;

  return {
    traceId: span.traceId,
    spanId: span.id,
    traceState,
    parentSpanId: span.parentId !== undefined && span.parentId !== span.id ? span.parentId : '',
    name: span.name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano: startTimeUnixNano + durationNano,
    attributes: attributes.entries,
    events: span.annotations.map((annotation, i) => parseAnnotation(annotation, `${at}: annotation ${i}`)),
    links,
    status,
  };
}

/** Zipkin's four kinds; otherwise the `span.kind` tag says `internal` or nothing (and is consumed). */
function kindOf(zipkinKind: string, tags: Map<string, string>): number {
  const kind = KIND[zipkinKind];
  if (kind !== undefined) return kind;
  const tag = tags.get(TAG.spanKind);
  if (tag === undefined) return SpanKind.UNSPECIFIED;
  tags.delete(TAG.spanKind);
  return tag === 'internal' ? SpanKind.INTERNAL : SpanKind.UNSPECIFIED;
}

/**
 * `otel.status_code` (with `otel.status_description` as the message) sets the status; any `error`
 * tag makes it an error, and is consumed only when its value is `true` (else it stays, as the
 * error's description, an attribute).
 */
function statusOf(tags: Map<string, string>): { code: number; message: string } {
  const status: OtlpSpan['status'] = { code: StatusCode.UNSET, message: '' };
  const code = tags.get(TAG.statusCode);
  if (code !== undefined) {
    status.code = STATUS_CODE_VALUES.get(code) ?? StatusCode.UNSET;
    tags.delete(TAG.statusCode);
    const description = tags.get(TAG.statusDescription);
    if (description !== undefined) {
      status.message = description;
      tags.delete(TAG.statusDescription);
    }
  }
  const error = tags.get(TAG.error);
  if (error !== undefined) {
    status.code = StatusCode.ERROR;
    if (error === 'true') tags.delete(TAG.error);
  }
  return status;
}

/** `parse_string_tags`: the Collector's `DetermineValueType` patterns, in its order. */
function typedTag(value: string): OtlpValue {
  // strconv.ParseInt saturates out-of-range values (the error is dropped).
  if (/^-?\d+$/.test(value)) return { int: saturatedInt64(BigInt(value)) };
  if (/^-?\d+\.\d+$/.test(value)) return { double: Number(value) };
  if (value === 'true' || value === 'false') return { bool: value === 'true' };
  return str(value);
}
