import { TenantLimitError } from '../tenancy/tenant-limit-error';
import type { NumericTenantLimits } from '../tenancy/tenant-limit-keys';

export { TenantLimitError };

export type IngestLimits = Pick<
  NumericTenantLimits,
  'ingestionRateBytes' | 'ingestionBurstBytes' | 'maxSpansPerRequest' | 'maxAttributeBytes'
>;

/**
 * Per-tenant token buckets over OTLP request bytes (Tempo's `ingestion.rate_limit_bytes` and
 * `burst_size_bytes`; x/time/rate semantics: refills continuously, starts full). A request takes
 * its bytes or nothing. Each tenant has its own bucket, so one flooding tenant is refused while
 * the others go on.
 */
export class IngestionRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  /** Takes `bytes` from the tenant's bucket, or throws `TenantLimitError` and takes nothing. */
  take(tenantId: string, bytes: number, limits: IngestLimits, nowMs = Date.now()): void {
    const { ingestionRateBytes: rate, ingestionBurstBytes: burst } = limits;
    if (rate <= 0) return;
    const capacity = burst > 0 ? burst : rate;
    if (bytes > capacity) {
      throw new TenantLimitError(
        `request of ${bytes} bytes is larger than tenant "${tenantId}"'s ingestion burst (burst_size_bytes: ${capacity}): it can never be accepted; send smaller batches`,
        413,
        'request_too_large',
      );
    }
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: capacity, atMs: nowMs };
      this.buckets.set(tenantId, bucket);
    }
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsedMs / 1000) * rate);
    bucket.atMs = nowMs;
    if (bytes > bucket.tokens) {
      throw new RateLimitedError(
        `ingestion rate limit reached for tenant "${tenantId}" (rate_limit_bytes: ${rate} bytes/s, burst_size_bytes: ${capacity}): retry later`,
        ((bytes - bucket.tokens) / rate) * 1000,
      );
    }
    bucket.tokens -= bytes;
  }
}

/** Over the rate: how long until the bucket would hold the request's bytes. */
export class RateLimitedError extends TenantLimitError {
  constructor(
    message: string,
    readonly refillMs: number,
  ) {
    super(message, 429, 'rate_limited');
  }
}

/** A request with more spans than the tenant's `max_spans_per_request` can never pass. */
export function checkSpansPerRequest(tenantId: string, spans: number, limits: IngestLimits): void {
  const max = limits.maxSpansPerRequest;
  if (max > 0 && spans > max) {
    throw new TenantLimitError(
      `request holds ${spans} spans, more than tenant "${tenantId}"'s max_spans_per_request (${max}): send smaller batches`,
      413,
      'too_many_spans',
    );
  }
}
