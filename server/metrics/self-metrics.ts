import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Loupe's own operational metrics, exposed at `/metrics`. Every metric is registered in two
 * registries that differ only in exposition format: Prometheus text by default, OpenMetrics
 * when the scraper asks for it.
 */
export class SelfMetrics {
  readonly prometheus = new Registry();
  readonly openMetrics = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();

  readonly spansReceived: Counter<'tenant'>;
  readonly bytesReceived: Counter<'tenant'>;
  readonly spansRefused: Counter<'tenant' | 'reason'>;
  readonly requestsRefused: Counter<'reason'>;
  readonly blocksFlushed: Counter<'tenant'>;
  readonly spansFlushed: Counter<'tenant'>;
  readonly blockFlushFailures: Counter<'tenant'>;
  readonly blockBuildSeconds: Histogram;
  readonly walBytes: Gauge;
  readonly walSegments: Gauge;
  readonly walBacklogBytes: Gauge;
  readonly liveTraces: Gauge;
  readonly traceLookupSeconds: Histogram<'outcome'>;
  /** Other modules' families (span metrics…), appended to every scrape; see `addExposition`. */
  private readonly extraExpositions: ((openMetrics: boolean) => string)[] = [];

  constructor() {
    this.openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.prometheus, this.openMetrics];
    this.spansReceived = new Counter({
      name: 'loupe_distributor_spans_received_total',
      help: 'Spans accepted by the distributor.',
      labelNames: ['tenant'],
      registers,
    });
    this.bytesReceived = new Counter({
      name: 'loupe_distributor_bytes_received_total',
      help: 'OTLP trace bytes accepted by the distributor.',
      labelNames: ['tenant'],
      registers,
    });
    this.spansRefused = new Counter({
      name: 'loupe_discarded_spans_total',
      help: 'Spans refused, by reason (invalid_id, trace_too_large).',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.requestsRefused = new Counter({
      name: 'loupe_distributor_requests_refused_total',
      help: 'Whole requests refused by the distributor, by reason (decode_error, no_valid_spans).',
      labelNames: ['reason'],
      registers,
    });
    this.blocksFlushed = new Counter({
      name: 'loupe_ingester_blocks_flushed_total',
      help: 'Blocks written to the backend.',
      labelNames: ['tenant'],
      registers,
    });
    this.spansFlushed = new Counter({
      name: 'loupe_ingester_spans_flushed_total',
      help: 'Spans written to the backend in blocks.',
      labelNames: ['tenant'],
      registers,
    });
    this.blockFlushFailures = new Counter({
      name: 'loupe_ingester_block_flush_failures_total',
      help: 'Block builds or writes that failed and will be retried.',
      labelNames: ['tenant'],
      registers,
    });
    this.blockBuildSeconds = new Histogram({
      name: 'loupe_ingester_block_build_seconds',
      help: 'Time to build (encode, compress) a block in the worker.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.walBytes = new Gauge({ name: 'loupe_wal_bytes', help: 'Bytes of WAL segments on disk.', registers });
    this.walSegments = new Gauge({ name: 'loupe_wal_segments', help: 'WAL segments on disk.', registers });
    this.walBacklogBytes = new Gauge({
      name: 'loupe_wal_backlog_bytes',
      help: 'Trace bytes acknowledged but not yet in a flushed block.',
      registers,
    });
    this.liveTraces = new Gauge({ name: 'loupe_ingester_live_traces', help: 'Traces in memory.', registers });
    this.traceLookupSeconds = new Histogram({
      name: 'loupe_query_trace_by_id_seconds',
      help: 'Trace-by-ID lookup latency.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  /** Both registries, for modules that register their own prom-client metrics. */
  get registers(): Registry[] {
    return [this.prometheus, this.openMetrics as unknown as Registry];
  }

  /**
   * Adds metric families rendered by another module (text in the scrape's format, each family
   * with its `# HELP`/`# TYPE`; exemplars only when `openMetrics`). Placed before `# EOF`.
   */
  addExposition(render: (openMetrics: boolean) => string): void {
    this.extraExpositions.push(render);
  }

  /** The exposition for a scrape: OpenMetrics when the Accept header asks for it. */
  async exposition(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const openMetrics = accept?.includes('application/openmetrics-text') ?? false;
    const registry = openMetrics ? this.openMetrics : this.prometheus;
    let body = await registry.metrics();
    const extra = this.extraExpositions.map((render) => render(openMetrics)).join('');
    if (extra !== '') {
      const eof = openMetrics ? body.lastIndexOf('# EOF') : -1;
      body = eof >= 0 ? `${body.slice(0, eof)}${extra}${body.slice(eof)}` : `${body}${extra}`;
    }
    return { contentType: registry.contentType, body };
  }
}
