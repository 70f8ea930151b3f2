import type { Logger } from 'pino';
import SnappyJS from 'snappyjs';
import { ProtoWriter } from '../otlp/proto-writer';
import type { Labels } from '../series-model/labels';
import type { SampleBatch } from '../series-model/sample-batch';

function writeLabels(w: ProtoWriter, field: number, labels: Labels): void {
  for (const name of Object.keys(labels).sort()) {
    w.openMessage(field).stringField(1, name).stringField(2, labels[name]).closeMessage();
  }
}

/** `prometheus.WriteRequest` (remote-write 1.0) for a batch, labels sorted by name as required. */
export function encodeWriteRequest(batch: SampleBatch, extraLabels: Labels = {}): Buffer {
  const w = new ProtoWriter(4096);
  for (const s of batch.series) {
    w.openMessage(1); // timeseries
    writeLabels(w, 1, { ...s.labels, ...extraLabels });
    for (let i = 0; i < s.timestamps.length; i++) {
      // Sample { double value = 1; int64 timestamp = 2 } (milliseconds: positive, below 2^53)
      w.openMessage(2).doubleField(1, s.values[i]).varintField(2, s.timestamps[i]).closeMessage();
    }
    for (const ex of s.exemplars ?? []) {
      w.openMessage(3); // Exemplar { labels = 1; double value = 2; int64 timestamp = 3 }
      writeLabels(w, 1, ex.labels);
      w.doubleField(2, ex.value).varintField(3, ex.timestampMs).closeMessage();
    }
    w.closeMessage();
  }
  return w.finish();
}

/**
 * Pushes collected samples to Prometheus remote-write receivers, one request per collection and
 * tenant (tenant as the `tenant` label), never blocking collection; failures are logged.
 */
export class RemoteWriter {
  private lastWarnMs = 0;

  constructor(
    private readonly urls: string[],
    private readonly logger: Logger,
  ) {}

  send(tenantId: string, batch: SampleBatch): void {
    if (this.urls.length === 0 || batch.series.length === 0) return;
    const body = new Uint8Array(SnappyJS.compress(encodeWriteRequest(batch, { tenant: tenantId })));
    for (const url of this.urls) {
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body,
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (res) => {
          if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        })
        .catch((err) => this.warn(url, err as Error));
    }
  }

  private warn(url: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastWarnMs < 60_000) return;
    this.lastWarnMs = now;
    this.logger.warn({ url, err: err.message }, 'remote write failed; samples for this collection dropped');
  }
}
