import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { type SeriesLimit, seriesLimitOf } from '../metrics-generator/series-limit';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { AppendResult } from './store/series-store';

/** Where refused samples came from: the metrics generator, or an OTLP metrics push. */
export type SampleSource = 'span_metrics' | 'otlp';

const WARN_EVERY_MS = 60_000;

/**
 * The metrics module's own series on `/metrics` (the generator's are its own), and the warning
 * a tenant at its series limit logs, at most once a minute.
 */
export class MetricsCounters {
  private readonly seriesDropped: Counter<'tenant' | 'reason'>;
  private readonly seriesUnwritable: Counter<'tenant' | 'source'>;
  readonly pointsRefused: Counter<'tenant' | 'reason'>;
  readonly proxyRefused: Counter<'reason'>;
  private lastLimitWarnMs = 0;

  constructor(
    metrics: SelfMetrics,
    private readonly logger: Logger,
    private readonly maxSeriesPerTenant: SeriesLimit,
    activeSeries: () => Map<string, number>,
  ) {
    const registers = metrics.registers;
    this.seriesDropped = new Counter({
      name: 'loupe_metrics_series_dropped_total',
      help: 'New series refused: the tenant reached metrics.max_series_per_tenant (reason: the source, span_metrics or otlp), or one OTLP request created more than metrics.max_new_series_per_request (reason: max_new_series_per_request).',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.pointsRefused = new Counter({
      name: 'loupe_metrics_data_points_refused_total',
      help: 'OTLP metrics data points refused, by reason (label_name_too_long, label_value_too_long, too_many_buckets).',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.proxyRefused = new Counter({
      name: 'loupe_metrics_proxy_responses_refused_total',
      help: 'Answers of the proxied Prometheus over metrics.prometheus_proxy_max_response_size, by reason (response_too_large: refused with a 502 before any byte was sent; response_cut: cut while streamed).',
      labelNames: ['reason'],
      registers,
    });
    this.seriesUnwritable = new Counter({
      name: 'loupe_metrics_series_unwritable_total',
      help: 'Series not stored because they could not be written to the series WAL (encoding failed, or over 1 Mi characters).',
      labelNames: ['tenant', 'source'],
      registers,
    });
    new Gauge({
      name: 'loupe_metrics_active_series',
      help: 'Series held in the series store, per tenant.',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const [tenant, n] of activeSeries()) this.set({ tenant }, n);
      },
    });
  }

  /** New series refused at the tenant's limit, by the store or ahead of it by the generator. */
  seriesOverLimit(tenantId: string, source: SampleSource, series: number): void {
    if (series <= 0) return;
    this.seriesDropped.inc({ tenant: tenantId, reason: source }, series);
    const now = Date.now();
    if (now - this.lastLimitWarnMs < WARN_EVERY_MS) return;
    this.lastLimitWarnMs = now;
    this.logger.warn(
      { tenant: tenantId, source, limit: seriesLimitOf(this.maxSeriesPerTenant, tenantId) },
      'series limit reached (metrics.max_series_per_tenant): new series are dropped',
    );
  }

  /** What the store refused of one append: series over the limit, series it could not write. */
  storeRefusals(tenantId: string, source: SampleSource, result: AppendResult): void {
    this.seriesOverLimit(tenantId, source, result.droppedSeries);
    if (result.overNewSeriesLimit.series > 0) {
      const reason = 'max_new_series_per_request';
      this.seriesDropped.inc({ tenant: tenantId, reason }, result.overNewSeriesLimit.series);
    }
    if (result.unwritableSeries > 0) {
      this.seriesUnwritable.inc({ tenant: tenantId, source }, result.unwritableSeries);
    }
  }
}
