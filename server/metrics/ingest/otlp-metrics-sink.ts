import { type SeriesLimit, seriesLimitOf } from '../../metrics-generator/series-limit';
import type { SignalSink } from '../../receivers/signal-sink';
import type { LabelLimits } from '../../series-model/label-limits';
import type { MetricsCounters } from '../metrics-counters';
import type { SeriesStore } from '../store/series-store';
import { labelLimitMessage, tooManyBucketsMessage, translateOtlpMetrics } from './otlp-metrics';

export interface OtlpMetricsSinkOptions {
  store: SeriesStore;
  counters: MetricsCounters;
  /** `metrics.max_label_*_length`: a data point with a longer label is refused. */
  labelLimits: LabelLimits;
  /** `metrics.max_series_per_tenant`, named in the refusal message. */
  maxSeriesPerTenant: SeriesLimit;
  /** `metrics.max_histogram_buckets`: a histogram data point with more buckets is refused (0: no limit). */
  maxHistogramBuckets: number;
  /** `metrics.max_new_series_per_request`: new series past this many in one push are refused. */
  maxNewSeriesPerRequest: number;
}

/**
 * Where the OTLP receivers hand metrics: each push is translated, appended to the store and
 * acknowledged once durable. What is refused (series over the limits, labels too long, histograms
 * with too many buckets, series too large to store, exponential histograms) is counted and named
 * in OTLP `partial_success`.
 */
export function otlpMetricsSink(opts: OtlpMetricsSinkOptions): SignalSink {
  const { store, counters } = opts;
  /** Per tenant, the running totals that turn delta sums and histograms cumulative. */
  const deltaTotals = new Map<string, Map<string, number>>();
  return {
    async push(tenantId, body) {
      let totals = deltaTotals.get(tenantId);
      if (!totals) {
        totals = new Map();
        deltaTotals.set(tenantId, totals);
      }
      const translated = translateOtlpMetrics(body, totals, opts.labelLimits, opts.maxHistogramBuckets);
      const { batch, unsupportedPoints, refusedPoints, firstRefusal, tooManyBuckets } = translated;
      const result = store.append(tenantId, batch, opts.maxNewSeriesPerRequest);
      counters.storeRefusals(tenantId, 'otlp', result);
      await result.durable;
      const messages: string[] = [];
      if (tooManyBuckets.points > 0) {
        counters.pointsRefused.inc({ tenant: tenantId, reason: 'too_many_buckets' }, tooManyBuckets.points);
        messages.push(tooManyBucketsMessage(tooManyBuckets, opts.maxHistogramBuckets));
      }
      const refused = refusedPoints.name + refusedPoints.value;
      if (firstRefusal) {
        const tenant = tenantId;
        if (refusedPoints.name > 0)
          counters.pointsRefused.inc({ tenant, reason: 'label_name_too_long' }, refusedPoints.name);
        if (refusedPoints.value > 0)
          counters.pointsRefused.inc({ tenant, reason: 'label_value_too_long' }, refusedPoints.value);
        messages.push(labelLimitMessage(refused, firstRefusal));
      }
      if (result.unwritableSeries > 0)
        messages.push(`${result.unwritableSeries} series refused: too large to store`);
      if (result.droppedSamples > 0) {
        messages.push(
          `${result.droppedSeries} new series refused: tenant ${tenantId} reached the limit of ${seriesLimitOf(opts.maxSeriesPerTenant, tenantId)} series (metrics.max_series_per_tenant, or the tenant's metrics_generator.max_active_series)`,
        );
      }
      const overRequest = result.overNewSeriesLimit;
      if (overRequest.series > 0) {
        messages.push(
          `${overRequest.series} new series refused: one request may create at most ${opts.maxNewSeriesPerRequest} (metrics.max_new_series_per_request); send fewer new series per request`,
        );
      }
      if (unsupportedPoints > 0)
        messages.push(`${unsupportedPoints} exponential histogram data points are not supported`);
      return {
        rejected:
          result.droppedSamples +
          overRequest.samples +
          unsupportedPoints +
          refused +
          tooManyBuckets.points +
          result.unwritableSamples,
        message: messages.length > 0 ? messages.join('; ') : undefined,
      };
    },
  };
}
