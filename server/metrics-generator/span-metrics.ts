import { spanKindName, statusCodeName } from '../otlp/enum-names';
import type { SpanView } from '../otlp/span-visitor';
import { truncateUtf8 } from '../series-model/label-limits';
import { type Labels, sanitizeLabelName } from '../series-model/labels';
import {
  type CounterState,
  type FamilySpec,
  GeneratorRegistry,
  type HistogramState,
} from './generator-registry';
import type { IntrinsicDimensions } from './metrics-generator-config';

/** OTLP span kinds (0-5) and status codes (0-2); anything else takes the general path. */
const KINDS = 6;
const STATUSES = 3;

export const CALLS_TOTAL = 'traces_spanmetrics_calls_total';
export const LATENCY = 'traces_spanmetrics_latency';

export function spanMetricsFamilies(buckets: number[]): FamilySpec[] {
  return [
    { name: CALLS_TOTAL, type: 'counter', help: 'Spans received, by service, span name, kind and status.' },
    { name: LATENCY, type: 'histogram', help: 'Span duration in seconds.', buckets },
  ];
}

/**
 * Tempo's span-metrics processor: a calls counter and a latency histogram per service, span
 * name, kind and status (plus configured dimensions), the newest span of each bucket kept as
 * its exemplar.
 */
interface SeriesPair {
  calls?: CounterState;
  latency?: HistogramState;
}

export class SpanMetricsProcessor {
  private readonly dimensionLabels: string[];
  private readonly cache = new Map<string, Map<string, SeriesPair>>();
  private readonly byName = new Map<string, Map<string, Map<string, (SeriesPair | undefined)[]>>>();
  private readonly byNameOnly: boolean;

  constructor(
    private readonly registry: GeneratorRegistry,
    private readonly buckets: number[],
    private readonly intrinsic: IntrinsicDimensions,
    /** Positions of this processor's dimensions in the values `observe` is given. */
    private readonly dimensionIndexes: number[],
    dimensionNames: string[],
    maxLabelNameBytes: number,
  ) {
    this.dimensionLabels = dimensionNames.map((name) =>
      truncateUtf8(sanitizeLabelName(name), maxLabelNameBytes),
    );
    this.byNameOnly = dimensionIndexes.length === 0 && !intrinsic.status_message;
  }

  /** One span; `dimensions` are the generator's dimension values for it (`AttributeLookup`). */
  observe(tenantId: string, span: SpanView, dimensions: readonly string[], nowMs: number): void {
    const entry =
      this.byNameOnly && span.kind < KINDS && span.statusCode < STATUSES
        ? this.lookupByName(tenantId, span, dimensions)
        : this.lookup(tenantId, span, dimensions);
    const calls = entry.calls;
    if (calls) {
      calls.value++;
      calls.updatedMs = nowMs;
    }
    const latency = entry.latency;
    if (latency) {
      const seconds = Math.max(0, span.durationNanos) / 1e9;
      const bucket = GeneratorRegistry.observe(latency, this.buckets, seconds);
      if (GeneratorRegistry.wantsExemplar(latency, bucket)) {
        GeneratorRegistry.setExemplar(latency, bucket, {
          traceId: span.idHex(span.traceIdAt, span.traceIdLength),
          spanId: span.idHex(span.spanIdAt, span.spanIdLength),
          value: seconds,
          timestampMs: nowMs,
        });
      }
      latency.updatedMs = nowMs;
    }
  }

  private key(span: SpanView, dimensions: readonly string[]): string {
    let key = `${span.service}\u0001${span.name}\u0001${span.kind}\u0001${span.statusCode}`;
    if (this.intrinsic.status_message) key += `\u0001${span.statusMessage}`;
    for (const i of this.dimensionIndexes) key += `\u0001${dimensions[i]}`;
    return key;
  }

  /**
   * The common case (no dimensions, no status message): service → span name → kind × status
   * slots, so no key string is built per span (the service string is shared by a resource's
   * spans and hashes once).
   */
  private lookupByName(tenantId: string, span: SpanView, dimensions: readonly string[]): SeriesPair {
    let services = this.byName.get(tenantId);
    if (!services) {
      services = new Map();
      this.byName.set(tenantId, services);
    }
    let names = services.get(span.service);
    if (!names) {
      names = new Map();
      services.set(span.service, names);
    }
    let slots = names.get(span.name);
    if (!slots) {
      slots = new Array(KINDS * STATUSES).fill(undefined);
      names.set(span.name, slots);
    }
    const slot = span.kind * STATUSES + span.statusCode;
    const entry = slots[slot];
    if (entry?.calls && !entry.calls.removed && entry.latency && !entry.latency.removed) return entry;
    const fresh = this.lookup(tenantId, span, dimensions);
    slots[slot] = fresh;
    return fresh;
  }

  /** Both series of a label set, from a per-tenant cache in front of the registry (one Map lookup per span). */
  private lookup(tenantId: string, span: SpanView, dimensions: readonly string[]): SeriesPair {
    const key = this.key(span, dimensions);
    let byKey = this.cache.get(tenantId);
    if (!byKey) {
      byKey = new Map();
      this.cache.set(tenantId, byKey);
    }
    let entry = byKey.get(key);
    if (entry?.calls && !entry.calls.removed && entry.latency && !entry.latency.removed) return entry;
    const labels = () => this.labels(span, dimensions);
    entry = {
      calls: this.registry.counter(tenantId, CALLS_TOTAL, key, labels),
      latency: this.registry.histogram(tenantId, LATENCY, key, labels),
    };
    byKey.set(key, entry);
    return entry;
  }

  /** Forgets cached series the registry dropped as stale. */
  pruneRemoved(): void {
    const removed = (entry: SeriesPair | undefined) => !!(entry?.calls?.removed || entry?.latency?.removed);
    for (const byKey of this.cache.values()) {
      for (const [key, entry] of byKey) if (removed(entry)) byKey.delete(key);
    }
    for (const services of this.byName.values()) {
      for (const [service, names] of services) {
        for (const [name, slots] of names) {
          for (let i = 0; i < slots.length; i++) if (removed(slots[i])) slots[i] = undefined;
          if (slots.every((e) => e === undefined)) names.delete(name);
        }
        if (names.size === 0) services.delete(service);
      }
    }
  }

  private labels(span: SpanView, dimensions: readonly string[]): Labels {
    const labels: Labels = {};
    if (this.intrinsic.service) labels.service = span.service;
    if (this.intrinsic.span_name) labels.span_name = span.name;
    if (this.intrinsic.span_kind) labels.span_kind = spanKindName(span.kind);
    if (this.intrinsic.status_code) labels.status_code = statusCodeName(span.statusCode);
    if (this.intrinsic.status_message) labels.status_message = span.statusMessage;
    this.dimensionIndexes.forEach((d, i) => {
      if (dimensions[d] !== '') labels[this.dimensionLabels[i]] = dimensions[d];
    });
    return labels;
  }
}
