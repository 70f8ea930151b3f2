import type { Logger } from 'pino';
import SnappyJS from 'snappyjs';
import type { Labels } from './labels';
import type { SampleBatch } from './sample-batch';

/** A growable protobuf encoder for the few field kinds `prometheus.WriteRequest` uses. */
class Encoder {
  private parts: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Buffer.from(bytes));
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, data: Buffer): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.push(data);
  }

  string(field: number, text: string): void {
    this.bytes(field, Buffer.from(text, 'utf8'));
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(v);
    this.push(b);
  }

  int64(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function encodeLabels(e: Encoder, field: number, labels: Labels): void {
  for (const name of Object.keys(labels).sort()) {
    const l = new Encoder();
    l.string(1, name);
    l.string(2, labels[name]);
    e.bytes(field, l.finish());
  }
}

/** `prometheus.WriteRequest` (remote-write 1.0) for a batch, labels sorted by name as required. */
export function encodeWriteRequest(batch: SampleBatch, extraLabels: Labels = {}): Buffer {
  const req = new Encoder();
  for (const s of batch.series) {
    const ts = new Encoder();
    encodeLabels(ts, 1, { ...s.labels, ...extraLabels });
    for (let i = 0; i < s.timestamps.length; i++) {
      const sample = new Encoder();
      sample.double(1, s.values[i]);
      sample.int64(2, s.timestamps[i]);
      ts.bytes(2, sample.finish());
    }
    for (const ex of s.exemplars ?? []) {
      const exemplar = new Encoder();
      encodeLabels(exemplar, 1, ex.labels);
      exemplar.double(2, ex.value);
      exemplar.int64(3, ex.timestampMs);
      ts.bytes(3, exemplar.finish());
    }
    req.bytes(1, ts.finish());
  }
  return req.finish();
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
