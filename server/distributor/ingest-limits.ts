import { TenantLimitError } from '../tenancy/tenant-limit-error';
import type { NumericTenantLimits } from '../tenancy/tenant-limit-keys';
import { holdRateLimitRefusal, TenantRateLimiter } from '../tenancy/tenant-rate-limiter';

export { TenantLimitError };

export type IngestLimits = Pick<
  NumericTenantLimits,
  'ingestionRateBytes' | 'ingestionBurstBytes' | 'maxSpansPerRequest' | 'maxAttributeBytes'
>;

/**
 * Tempo's `ingestion.rate_limit_bytes` and `burst_size_bytes` over OTLP request bytes (0: no
 * limit), on the shared per-tenant buckets. A request larger than the burst can never pass (413);
 * one over the rate waits out its Retry-After, then is refused (429).
 */
export class TraceIngestionRate {
  private readonly buckets = new TenantRateLimiter();

  async take(tenantId: string, bytes: number, limits: IngestLimits): Promise<void> {
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
    if (this.buckets.tryTake(tenantId, bytes, rate, capacity)) return;
    await holdRateLimitRefusal();
    throw new TenantLimitError(
      `ingestion rate limit reached for tenant "${tenantId}" (rate_limit_bytes: ${rate} bytes/s, burst_size_bytes: ${capacity}): retry later`,
      429,
      'rate_limited',
    );
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
