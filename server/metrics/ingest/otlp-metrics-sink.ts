import type { SignalSink } from '../../receivers/signal-sink';
import type { LabelLimits } from '../../series-model/label-limits';
import type { MetricsCounters } from '../metrics-counters';
import type { SeriesStore } from '../store/series-store';
import { labelLimitMessage, translateOtlpMetrics } from './otlp-metrics';

export interface OtlpMetricsSinkOptions {
  store: SeriesStore;
  counters: MetricsCounters;
  /** `metrics.max_label_*_length`: a data point with a longer label is refused. */
  labelLimits: LabelLimits;
  /** `metrics.max_series_per_tenant`, named in the refusal message. */
  maxSeriesPerTenant: number;
}

/**
 * Where the OTLP receivers hand metrics: each push is translated, appended to the store and
 * acknowledged once durable. What is refused (series over the limit, labels too long, series too
 * large to store, exponential histograms) is counted and named in OTLP `partial_success`.
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
      const translated = translateOtlpMetrics(body, totals, opts.labelLimits);
      const { batch, unsupportedPoints, refusedPoints, firstRefusal } = translated;
      const result = store.append(tenantId, batch);
      counters.storeRefusals(tenantId, 'otlp', result);
      await result.durable;
      const messages: string[] = [];
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
          `${result.droppedSeries} new series refused: tenant ${tenantId} reached the limit of ${opts.maxSeriesPerTenant} series (metrics.max_series_per_tenant)`,
        );
      }
      if (unsupportedPoints > 0)
        messages.push(`${unsupportedPoints} exponential histogram data points are not supported`);
      return {
        rejected: result.droppedSamples + unsupportedPoints + refused + result.unwritableSamples,
        message: messages.length > 0 ? messages.join('; ') : undefined,
      };
    },
  };
}
