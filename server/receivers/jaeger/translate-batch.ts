import type { OtlpResourceSpans, OtlpScopeSpans } from '../../otlp/otlp-traces-model';
import type { JaegerBatch, JaegerProcess, JaegerSpan, JaegerTag } from './jaeger-model';
import { processToResource, translateSpan } from './translate-span';

/**
 * A Jaeger batch → OTLP resource spans, as the OpenTelemetry Collector's `ThriftToTraces` and
 * `ProtoToTraces` (opentelemetry-collector-contrib `pkg/translator/jaeger`) build them. The two
 * differ, and each is kept as the Collector has it:
 *
 * | | Thrift (`thrift_http`) | protobuf (`grpc`) |
 * | --- | --- | --- |
 * | resources | one, from the batch's process | one per distinct process (a span's own process wins) |
 * | instrumentation scope | empty | from the `otel.scope.name` / `otel.scope.version` tags |
 * | `w3c.tracestate` tag | stays an attribute | becomes the span's trace state |
 * | process `OTLPResourceNoServiceName` | `service.name` as sent | no resource attributes |
 */

/** The `jaeger.thrift` Batch of `POST /api/traces`. */
export function thriftBatchToOtlp(batch: JaegerBatch): OtlpResourceSpans[] {
  if (!batch.process && batch.spans.length === 0) return [];
  const resourceSpans: OtlpResourceSpans = {
    resource: batch.process ? processToResource(batch.process).entries : [],
    scopeSpans: [],
  };
  if (batch.spans.length === 0) return [resourceSpans];
  const scope: OtlpScopeSpans = { scope: { name: '', version: '' }, spans: [] };
  for (const span of batch.spans) {
    if (!span.blank) scope.spans.push(translateSpan(span, { traceStateTag: false }));
  }
  resourceSpans.scopeSpans.push(scope);
  return [resourceSpans];
}

/** The Collector's placeholder service name of a resource that had none: such a process adds nothing. */
const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';

/** The `jaeger.api_v2` Batch of `CollectorService/PostSpans`. */
export function protoBatchToOtlp(batch: JaegerBatch): OtlpResourceSpans[] {
  const out: OtlpResourceSpans[] = [];
  for (const group of groupByProcess(batch)) {
    if (!group.process && group.spans.length === 0) continue;
    const process = group.process;
    const resource =
      process && process.serviceName !== NO_SERVICE_NAME ? processToResource(process).entries : [];
    out.push({ resource, scopeSpans: spansByScope(group.spans) });
  }
  return out;
}

interface ProcessGroup {
  process: JaegerProcess | undefined;
  spans: JaegerSpan[];
}

/**
 * The batch's spans grouped by the process each belongs to: its own if it has one, else the
 * batch's. Equal processes (same service name and tags, in order) make one group, as the
 * Collector's process checksum does; the groups keep the order they were first met in (the
 * Collector's map has none).
 */
function groupByProcess(batch: JaegerBatch): ProcessGroup[] {
  const groups = new Map<string, ProcessGroup>();
  const groupOf = (process: JaegerProcess | undefined): ProcessGroup => {
    const key = processKey(process);
    let group = groups.get(key);
    if (!group) {
      group = { process, spans: [] };
      groups.set(key, group);
    }
    return group;
  };
  const batchGroup = groupOf(batch.process);
  for (const span of batch.spans) (span.process ? groupOf(span.process) : batchGroup).spans.push(span);
  return [...groups.values()];
}

function tagIdentity(tag: JaegerTag): string[] {
  const v = tag.value;
  switch (v.type) {
    case 'binary':
      return [tag.key, v.type, Buffer.from(v.value).toString('base64')];
    case 'unknown':
      return [tag.key, v.type, v.typeName];
    default:
      return [tag.key, v.type, String(v.value)];
  }
}

/** A process's identity; no process and an empty one are the same (as their checksums are). */
function processKey(process: JaegerProcess | undefined): string {
  return JSON.stringify([process?.serviceName ?? '', (process?.tags ?? []).map(tagIdentity)]);
}

/**
 * Takes the first tag named `key` out of the span's tags and gives its string field (whatever
 * the tag's type, as the Collector reads it).
 */
function takeTag(span: JaegerSpan, key: string): string | undefined {
  const index = span.tags.findIndex((tag) => tag.key === key);
  if (index < 0) return undefined;
  const [tag] = span.tags.splice(index, 1);
  return tag.rawString;
}

/** Spans under the scope their `otel.scope.name` (+ `otel.scope.version`) tags name; blank spans dropped. */
function spansByScope(spans: readonly JaegerSpan[]): OtlpScopeSpans[] {
  const scopes = new Map<string, OtlpScopeSpans>();
  for (const span of spans) {
    if (span.blank) continue;
    let name = '';
    let version = '';
    const scopeName = takeTag(span, 'otel.scope.name');
    if (scopeName !== undefined) {
      name = scopeName;
      version = takeTag(span, 'otel.scope.version') ?? '';
    }
    const key = JSON.stringify([name, version]);
    let scope = scopes.get(key);
    if (!scope) {
      scope = { scope: { name, version }, spans: [] };
      scopes.set(key, scope);
    }
    scope.spans.push(translateSpan(span, { traceStateTag: true }));
  }
  return [...scopes.values()];
}
