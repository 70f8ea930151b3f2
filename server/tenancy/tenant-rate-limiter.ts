import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Per-tenant token buckets over ingested bytes, for every signal that has an ingestion rate
 * (traces: `ingestion.rate_limit_bytes`; logs: Loki's `ingestion_rate_mb`): refilled
 * continuously at `rate` bytes per second up to `burst`, full at first (x/time/rate's semantics,
 * which Tempo and Loki use). A request takes its bytes or nothing. Each tenant has its own bucket,
 * so one flooding tenant is refused while the others go on.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  /** Takes `bytes` from the tenant's bucket and returns true, or takes nothing and returns false. */
  tryTake(tenantId: string, bytes: number, rate: number, burst: number, nowMs = Date.now()): boolean {
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: burst, atMs: nowMs };
      this.buckets.set(tenantId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * rate);
    bucket.atMs = nowMs;
    if (bytes > bucket.tokens) return false;
    bucket.tokens -= bytes;
    return true;
  }
}

/** The Retry-After of a rate-limit refusal (HTTP 429, gRPC RESOURCE_EXHAUSTED with RetryInfo). */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 1;

/**
 * Waits out a rate-limit refusal's Retry-After before it is answered. A client that ignores 429s
 * and resends at once is held to one request per connection per second instead of spinning, so
 * its refusals cost the other tenants next to nothing; a client that waits, as exporters do,
 * loses nothing. (`server/integration/noisy-tenant.timing.test.ts` measures what this buys.)
 */
export function holdRateLimitRefusal(): Promise<void> {
  return sleep(RATE_LIMIT_RETRY_AFTER_SECONDS * 1000);
}
