import { RateLimitError } from '../errors';
import type { LogsConfig } from '../logs-config';
import type { LogsMetrics } from '../logs-metrics';
import type { LogPush } from '../model';
import type { LogStore } from '../store/log-store';
import { IngestionRateLimiter } from './limits';

/** The common tail of both push paths: the tenant's rate limit, counters, then the durable store. */
export class LogIngest {
  private readonly limiter: IngestionRateLimiter;

  constructor(
    private readonly store: LogStore,
    private readonly metrics: LogsMetrics,
    config: LogsConfig,
  ) {
    this.limiter = new IngestionRateLimiter(config.limits);
  }

  /** Resolves once durable; throws a 429 `RateLimitError` (nothing stored) over the rate. */
  async ingest(tenantId: string, push: LogPush, lineBytes: number, lines: number): Promise<void> {
    if (lines === 0) return;
    try {
      await this.limiter.take(tenantId, lineBytes, lines);
    } catch (err) {
      if (err instanceof RateLimitError) this.discarded(tenantId, 'rate_limited', lines);
      throw err;
    }
    await this.store.push(tenantId, push);
    this.metrics.linesReceived.inc({ tenant: tenantId }, lines);
    this.metrics.bytesReceived.inc({ tenant: tenantId }, lineBytes);
  }

  discarded(tenantId: string, reason: string, lines: number): void {
    if (lines > 0) this.metrics.linesDiscarded.inc({ tenant: tenantId, reason }, lines);
  }
}
