import { Counter, Gauge } from 'prom-client';
import type { SelfMetrics } from '../self-metrics/self-metrics';

/** The logs module's own series on `/metrics`. */
export class LogsMetrics {
  readonly linesReceived: Counter<'tenant'>;
  readonly bytesReceived: Counter<'tenant'>;
  readonly linesDiscarded: Counter<'tenant' | 'reason'>;
  readonly chunksFlushed: Counter<'tenant'>;
  readonly walBytes: Gauge;

  constructor(metrics: SelfMetrics, walSize: () => number) {
    const registers = [metrics.prometheus, metrics.openMetrics];
    this.linesReceived = new Counter({
      name: 'loupe_logs_lines_received_total',
      help: 'Log lines accepted (OTLP and Loki push).',
      labelNames: ['tenant'],
      registers,
    });
    this.bytesReceived = new Counter({
      name: 'loupe_logs_bytes_received_total',
      help: 'Bytes of accepted log lines.',
      labelNames: ['tenant'],
      registers,
    });
    this.linesDiscarded = new Counter({
      name: 'loupe_logs_discarded_lines_total',
      help: 'Log lines refused, by reason (rate_limited, line_too_long, invalid_labels, label_name_too_long, label_value_too_long).',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.chunksFlushed = new Counter({
      name: 'loupe_logs_chunks_flushed_total',
      help: 'Log chunks written to the backend.',
      labelNames: ['tenant'],
      registers,
    });
    this.walBytes = new Gauge({
      name: 'loupe_logs_wal_bytes',
      help: 'Bytes of log pushes in the WAL not yet in a chunk (segments on disk).',
      registers,
      collect() {
        this.set(walSize());
      },
    });
  }
}
