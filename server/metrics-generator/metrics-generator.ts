import { AttributeLookup } from '../otlp/attribute-lookup';
import { forEachSpan, type LabelValueReading } from '../otlp/span-visitor';
import type { SampleBatch } from '../series-model/sample-batch';
import { GeneratorRegistry } from './generator-registry';
import type { GeneratorConfig } from './metrics-generator-config';
import type { SeriesLimit } from './series-limit';
import { ServiceGraphProcessor, serviceGraphFamilies } from './service-graph';
import { SpanMetricsProcessor, spanMetricsFamilies } from './span-metrics';

export interface GeneratorHooks {
  /** New series refused by the per-tenant limit (each histogram counts its buckets + 3). */
  onSeriesDropped(tenantId: string, count: number): void;
  /** A span half refused because the service graph already waits on `max_items` edges. */
  onEdgeDropped(tenantId: string): void;
  /** Label values of one export cut to `registry.max_label_value_length`. */
  onLabelValuesTruncated?(tenantId: string, count: number): void;
}

/**
 * Span metrics and the service graph, fed from every accepted trace export. Observing is
 * synchronous and allocation-light (one decode pass over the request bytes); `collect` samples
 * the live series, as batches for the sample sink (see `generator-module.ts`).
 */
export class MetricsGenerator {
  readonly registry: GeneratorRegistry;
  private readonly spanMetrics: SpanMetricsProcessor;
  private readonly serviceGraph: ServiceGraphProcessor;
  private readonly dimensions: string[];
  /** The dimensions' values of each span: the span's attribute, else its resource's. */
  private readonly dimensionLookup: AttributeLookup;

  constructor(
    private readonly config: GeneratorConfig,
    maxSeriesPerTenant: SeriesLimit,
    private readonly hooks: GeneratorHooks,
  ) {
    const sm = config.spanMetrics;
    const sg = config.serviceGraphs;
    this.dimensions = [...new Set([...sm.dimensions, ...sg.dimensions])];
    this.dimensionLookup = new AttributeLookup(this.dimensions);
    const indexesOf = (names: string[]) => names.map((n) => this.dimensions.indexOf(n));
    this.registry = new GeneratorRegistry(
      [...spanMetricsFamilies(sm.histogramBuckets), ...serviceGraphFamilies(sg.histogramBuckets)],
      maxSeriesPerTenant,
      hooks.onSeriesDropped,
    );
    this.spanMetrics = new SpanMetricsProcessor(
      this.registry,
      sm.histogramBuckets,
      sm.intrinsicDimensions,
      indexesOf(sm.dimensions),
      sm.dimensions,
      config.maxLabelNameLength,
    );
    this.serviceGraph = new ServiceGraphProcessor(
      this.registry,
      sg.histogramBuckets,
      sg.waitMs,
      sg.maxItems,
      indexesOf(sg.dimensions),
      sg.dimensions,
      config.maxLabelNameLength,
      hooks.onEdgeDropped,
    );
  }

  /**
   * One accepted ExportTraceServiceRequest; returns how many spans it held. Label values are cut
   * to `max_label_value_length` as they are decoded, so series are keyed by the cut value.
   */
  observe(tenantId: string, body: Uint8Array, nowMs = Date.now()): number {
    let spans = 0;
    const values: LabelValueReading = {
      maxBytes: this.config.maxLabelValueLength,
      statusMessage: this.config.spanMetrics.intrinsicDimensions.status_message,
      truncated: 0,
    };
    const lookup = this.dimensionLookup;
    forEachSpan(
      body,
      (span) => {
        spans++;
        const dimensions = lookup.read(span, values);
        this.spanMetrics.observe(tenantId, span, dimensions, nowMs);
        this.serviceGraph.observe(tenantId, span, dimensions, nowMs);
      },
      values,
    );
    if (values.truncated > 0) this.hooks.onLabelValuesTruncated?.(tenantId, values.truncated);
    return spans;
  }

  expireEdges(nowMs: number): void {
    this.serviceGraph.expire(nowMs);
  }

  collect(nowMs: number): Map<string, SampleBatch> {
    const batches = this.registry.collect(nowMs, this.config.staleDurationMs);
    this.spanMetrics.pruneRemoved();
    return batches;
  }
}
