import { LogsRequestError, RateLimitError } from '../errors';
import type { LogsLimits } from '../logs-config';
import type { Labels } from '../model';

/** Per-tenant token buckets over pushed line bytes (Loki's `ingestion_rate_mb` / `ingestion_burst_size_mb`). */
export class IngestionRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(private readonly limits: LogsLimits) {}

  /** Takes `bytes` from the tenant's bucket, or throws a 429 and takes nothing. */
  take(tenantId: string, bytes: number, lines: number, nowMs = Date.now()): void {
    const { ingestionRateBytesPerSecond: rate, ingestionBurstBytes: burst } = this.limits;
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: nowMs };
      this.buckets.set(tenantId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * rate);
    bucket.updatedMs = nowMs;
    if (bytes > bucket.tokens) {
      throw new RateLimitError(
        `Ingestion rate limit exceeded for user ${tenantId} (limit: ${Math.round(rate)} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
      );
    }
    bucket.tokens -= bytes;
  }
}

/** Loki's per-stream label checks; throws a 400 naming the stream. */
export function checkStreamLabels(labels: Labels, limits: LogsLimits, shown: string): void {
  const count = Object.keys(labels).length;
  if (count === 0) throw new LogsRequestError('error at least one label pair is required per stream');
  if (count > limits.maxLabelNamesPerSeries)
    throw new LogsRequestError(tooManyLabelsMessage(count, limits, shown));
}

export function tooManyLabelsMessage(count: number, limits: LogsLimits, shown: string): string {
  return `stream '${shown}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`;
}

export function lineTooLongMessage(bytes: number, limits: LogsLimits, shown: string): string {
  return `max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${shown}' while adding an entry with length '${bytes}' bytes`;
}
