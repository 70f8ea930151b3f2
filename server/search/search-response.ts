import type { AttributeValue, SearchTrace } from '../search-model/search-trace';
import { ROOT_NOT_RECEIVED } from '../search-model/search-trace';
import type { SearchHit, SearchResult } from './trace-search';

/** OTLP JSON's AnyValue, as Tempo's search answers carry attribute values. */
export function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function keyValues(attributes: { key: string; value: AttributeValue }[]) {
  return attributes.map(({ key, value }) => ({ key, value: anyValue(value) }));
}

/** Spans and error spans per service, as Tempo's `serviceStats`. */
function serviceStats(trace: SearchTrace): Record<string, { spanCount: number; errorCount?: number }> {
  const stats: Record<string, { spanCount: number; errorCount?: number }> = {};
  for (const span of trace.spans) {
    const entry = stats[span.serviceName] ?? { spanCount: 0 };
    stats[span.serviceName] = entry;
    entry.spanCount++;
    if (span.statusCode === 2) entry.errorCount = (entry.errorCount ?? 0) + 1;
  }
  return stats;
}

function traceMetadata(hit: SearchHit, spss: number) {
  const { trace } = hit;
  const spanSets = hit.matches.map((set) => ({
    spans: set.spans.slice(0, spss).map(({ span, attributes }) => ({
      spanID: span.spanId,
      name: span.name,
      startTimeUnixNano: String(span.startUnixNano),
      durationNanos: String(span.durationNanos),
      ...(attributes.length > 0 ? { attributes: keyValues(attributes) } : {}),
    })),
    matched: set.matched,
    ...(set.attributes.length > 0 ? { attributes: keyValues(set.attributes) } : {}),
  }));
  return {
    traceID: trace.traceId,
    rootServiceName: trace.rootServiceName ?? ROOT_NOT_RECEIVED,
    ...(trace.rootName !== undefined ? { rootTraceName: trace.rootName } : {}),
    startTimeUnixNano: String(trace.startUnixNano),
    durationMs: Math.floor(trace.durationNanos / 1e6),
    // Tempo still sends the first set alone for clients older than span sets.
    ...(spanSets.length > 0 ? { spanSet: spanSets[0] } : {}),
    spanSets,
    serviceStats: serviceStats(trace),
    // Loupe's own: which tail-sampling policy kept the trace (clients of Tempo's API ignore it).
    ...(trace.sampling ? { sampling: trace.sampling } : {}),
  };
}

/** Tempo's `SearchResponse` as JSON, plus `partial` and why when some data was not searched. */
export function searchResponseJson(result: SearchResult, spss: number) {
  return {
    traces: result.hits.map((hit) => traceMetadata(hit, spss)),
    metrics: {
      inspectedTraces: result.stats.inspectedTraces,
      inspectedSpans: String(result.stats.inspectedSpans),
      inspectedBytes: String(result.stats.bytesRead),
      totalBlocks: result.totalBlocks,
      inspectedBlocks: result.stats.inspectedBlocks.size,
      completedJobs: 1,
      totalJobs: 1,
    },
    partial: result.partialReason !== undefined,
    ...(result.partialReason ? { partialReason: result.partialReason } : {}),
  };
}
