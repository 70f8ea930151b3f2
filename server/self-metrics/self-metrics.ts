import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  inChunks,
  type OnSeriesSkipped,
  type PromClientMetric,
  renderPromClientMetric,
  type SkipReason,
} from './exposition-text';

/**
 * Renders a module's families for one scrape, piece by piece (each family with its `# HELP` and
 * `# TYPE`; exemplars only when `openMetrics`). A series it cannot render it leaves out and
 * reports through `onSkipped`.
 */
export type ExpositionRenderer = (openMetrics: boolean, onSkipped: OnSeriesSkipped) => Iterable<string>;

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
  readonly tenantRequestsRefused: Counter<'tenant' | 'reason'>;
  readonly attributesTruncated: Counter<'tenant'>;
  readonly blocksFlushed: Counter<'tenant'>;
  readonly spansFlushed: Counter<'tenant'>;
  readonly blockFlushFailures: Counter<'tenant'>;
  readonly blockBuildSeconds: Histogram;
  readonly backendRequests: Counter<'operation' | 'outcome'>;
  readonly backendHedgedRequests: Counter;
  readonly backendBytes: Counter<'operation'>;
  readonly backendSeconds: Histogram<'operation'>;
  readonly backendFailing: Gauge;
  readonly cacheRequests: Counter<'kind' | 'tier' | 'outcome'>;
  readonly cacheBytes: Gauge<'tier'>;
  readonly cacheEvictions: Counter<'tier'>;
  readonly compactions: Counter<'tenant'>;
  readonly blocksCompacted: Counter<'tenant'>;
  readonly compactionSeconds: Histogram;
  readonly compactionSearchRows: Counter<'how'>;
  readonly compactionFailures: Counter;
  readonly compactedBlocksDeleted: Counter;
  readonly compactorLeaseHeld: Gauge;
  readonly ingesterQueryFailures: Counter<'ingester'>;
  readonly walBytes: Gauge;
  readonly walSegments: Gauge;
  readonly walBacklogBytes: Gauge;
  readonly liveTraces: Gauge;
  readonly traceLookupSeconds: Histogram<'outcome'>;
  readonly seriesSkipped: Counter<'reason'>;
  /** Other modules' families (span metrics…), appended to every scrape; see `addExposition`. */
  private readonly extraExpositions: ExpositionRenderer[] = [];

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
      help: 'Whole requests refused by the distributor, by reason (decode_error, no_valid_spans, and the tenant limits below).',
      labelNames: ['reason'],
      registers,
    });
    this.attributesTruncated = new Counter({
      name: 'loupe_distributor_attributes_truncated_total',
      help: "Attribute values cut to the tenant's max_attribute_bytes (the spans were kept).",
      labelNames: ['tenant'],
      registers,
    });
    this.tenantRequestsRefused = new Counter({
      name: 'loupe_tenant_requests_refused_total',
      help: "Requests refused by one of their tenant's limits, by tenant and reason (rate_limited, request_too_large, too_many_spans, live_traces_exceeded).",
      labelNames: ['tenant', 'reason'],
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
    this.backendRequests = new Counter({
      name: 'loupe_backend_requests_total',
      help: 'Calls to the storage backend, by operation and outcome (ok, missing, aborted, error).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.backendHedgedRequests = new Counter({
      name: 'loupe_backend_hedged_requests_total',
      help: 'S3 GETs sent again because the first had not answered within storage.trace.s3.hedge_requests_at.',
      registers,
    });
    this.backendBytes = new Counter({
      name: 'loupe_backend_bytes_total',
      help: 'Bytes read from and written to the storage backend, by operation.',
      labelNames: ['operation'],
      registers,
    });
    this.backendSeconds = new Histogram({
      name: 'loupe_backend_request_seconds',
      help: 'Time of one storage backend call, by operation (retries included).',
      labelNames: ['operation'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.backendFailing = new Gauge({
      name: 'loupe_backend_failing',
      help: '1 while block flushes to the storage backend fail (they are retried), 0 once one goes through.',
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'loupe_cache_requests_total',
      help: 'Block cache lookups by object kind (index, bloom, meta, search_summary, parquet_footer, parquet_index), tier (memory, disk) and outcome (hit, miss).',
      labelNames: ['kind', 'tier', 'outcome'],
      registers,
    });
    this.cacheBytes = new Gauge({
      name: 'loupe_cache_bytes',
      help: 'Bytes held by the block cache, by tier (memory, disk).',
      labelNames: ['tier'],
      registers,
    });
    this.cacheEvictions = new Counter({
      name: 'loupe_cache_evictions_total',
      help: 'Block cache entries pushed out by its byte bound, by tier (memory, disk).',
      labelNames: ['tier'],
      registers,
    });
    this.compactions = new Counter({
      name: 'loupe_compactor_compactions_total',
      help: 'Compacted blocks written.',
      labelNames: ['tenant'],
      registers,
    });
    this.blocksCompacted = new Counter({
      name: 'loupe_compactor_input_blocks_total',
      help: 'Blocks merged into compacted blocks.',
      labelNames: ['tenant'],
      registers,
    });
    this.compactionSeconds = new Histogram({
      name: 'loupe_compactor_compaction_seconds',
      help: 'Time to read, merge, build and write one compacted block.',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.compactionSearchRows = new Counter({
      name: 'loupe_compactor_search_rows_total',
      help: "Search rows (spans) of compacted blocks, by how they came: copied from the inputs' sidecars, or built from the traces.",
      labelNames: ['how'],
      registers,
    });
    this.compactionFailures = new Counter({
      name: 'loupe_compactor_failures_total',
      help: 'Compaction cycles that failed (retried next cycle).',
      registers,
    });
    this.compactedBlocksDeleted = new Counter({
      name: 'loupe_compactor_compacted_blocks_deleted_total',
      help: 'Compacted inputs deleted after compacted_block_retention.',
      registers,
    });
    this.compactorLeaseHeld = new Gauge({
      name: 'loupe_compactor_lease_held',
      help: '1 while this process holds the compactor lease (the one compactor working on the bucket), else 0.',
      registers,
    });
    this.ingesterQueryFailures = new Counter({
      name: 'loupe_querier_ingester_failures_total',
      help: 'Requests from this querier to an ingester that failed (its unflushed spans were missing from that answer).',
      labelNames: ['ingester'],
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
    this.seriesSkipped = new Counter({
      name: 'loupe_exposition_series_skipped_total',
      help: 'Series left out of a /metrics scrape, by reason (too_large: labels over 128 KiB; error: rendering failed).',
      labelNames: ['reason'],
      registers,
    });
  }

  /** Both registries, for modules that register their own prom-client metrics. */
  get registers(): Registry[] {
    return [this.prometheus, this.openMetrics as unknown as Registry];
  }

  /** Adds metric families rendered by another module to every scrape, before `# EOF`. */
  addExposition(render: ExpositionRenderer): void {
    this.extraExpositions.push(render);
  }

  /**
   * The exposition for a scrape (OpenMetrics when the Accept header asks for it), produced piece
   * by piece as the reply is written: Loupe's own metrics first, then each module's families.
   * Nothing in it can fail the scrape as a whole: a series that cannot be rendered is left out
   * and counted in `loupe_exposition_series_skipped_total` (seen from the next scrape on).
   */
  exposition(accept: string | undefined): { contentType: string; body: AsyncIterable<string> } {
    const openMetrics = accept?.includes('application/openmetrics-text') ?? false;
    const registry = openMetrics ? this.openMetrics : this.prometheus;
    // The same metric objects sit in both registries; only the rendering differs.
    const own = registry.getMetricsAsArray() as unknown as PromClientMetric[];
    return { contentType: registry.contentType, body: inChunks(this.pieces(own, openMetrics)) };
  }

  private async *pieces(own: PromClientMetric[], openMetrics: boolean): AsyncGenerator<string> {
    const onSkipped = (reason: SkipReason) => this.seriesSkipped.inc({ reason });
    for (const metric of own) {
      yield* renderPromClientMetric(metric, openMetrics, onSkipped);
    }
    for (const render of this.extraExpositions) {
      try {
        yield* render(openMetrics, onSkipped);
      } catch {
        // A renderer guards each series itself; this is the backstop for the rest of its families.
        onSkipped('error');
      }
    }
    if (openMetrics) yield '# EOF\n';
  }
}
