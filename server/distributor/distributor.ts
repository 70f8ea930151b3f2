import { ErrorCode } from '../errors/error-codes';
import { splitTracesByTraceId, type TraceFragment } from '../otlp/split-traces';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import {
  checkSpansPerRequest,
  IngestionRateLimiter,
  type IngestLimits,
  RateLimitedError,
  TenantLimitError,
} from './ingest-limits';
import { truncateLongAttributes } from './truncate-attributes';

/** How long a rate-limit refusal is held before it is answered: its Retry-After. */
const REFUSAL_HOLD_MS = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A request none of whose spans could be stored (OTLP: 400 / INVALID_ARGUMENT). */
export class NoValidSpansError extends Error {
  readonly code = ErrorCode.NO_VALID_SPANS;
  readonly statusCode = 400;
}

export interface PushOutcome {
  acceptedSpans: number;
  rejectedSpans: number;
  /** Set when some spans were refused: goes into OTLP `partial_success.error_message`. */
  message?: string;
}

/**
 * Where valid spans go, grouped by trace: the ingester in process. Resolves once they are
 * durable; spans past the tenant's `max_bytes_per_trace` are counted as refused.
 */
export interface TraceSink {
  push(
    tenantId: string,
    fragments: TraceFragment[],
  ): Promise<{ acceptedSpans: number; refusedSpans: number }>;
}

/**
 * Sees every accepted trace export (the metrics generator). Called synchronously after the
 * spans are durable, with the request as received; it must not throw or block for long.
 */
export type SpanObserver = (tenantId: string, body: Uint8Array) => void;

/**
 * Validates an OTLP trace export for one tenant and hands the valid spans, grouped by trace,
 * to the ingester. Resolves once they are durable. Malformed bodies throw `OtlpDecodeError`.
 */
export class Distributor {
  private readonly observers: SpanObserver[] = [];
  private readonly rateLimiter = new IngestionRateLimiter();

  constructor(
    private readonly ingester: TraceSink,
    private readonly metrics: Pick<
      SelfMetrics,
      | 'requestsRefused'
      | 'tenantRequestsRefused'
      | 'spansRefused'
      | 'spansReceived'
      | 'bytesReceived'
      | 'attributesTruncated'
    >,
    /** The tenant's limits (`Overrides.forTenant`); none: no rate or size limit. */
    private readonly limits?: (tenantId: string) => IngestLimits,
  ) {}

  addSpanObserver(observer: SpanObserver): void {
    this.observers.push(observer);
  }

  async pushTraces(tenantId: string, body: Uint8Array): Promise<PushOutcome> {
    const limits = this.limits?.(tenantId);
    // Before any decoding: a flooding tenant's refusals cost the others next to nothing.
    if (limits) {
      try {
        this.refusing(tenantId, undefined, () => this.rateLimiter.take(tenantId, body.length, limits));
      } catch (err) {
        // Answered after the Retry-After the refusal carries (1 s): a client that ignores 429s and
        // resends at once is held to one request per connection per second instead of spinning,
        // so its refusals cost the other tenants next to nothing. A client that waits loses nothing.
        if (err instanceof RateLimitedError) await sleep(REFUSAL_HOLD_MS);
        throw err;
      }
    }
    let split: ReturnType<typeof splitTracesByTraceId>;
    try {
      split = splitTracesByTraceId(body);
    } catch (err) {
      this.metrics.requestsRefused.inc({ reason: 'decode_error' });
      throw err;
    }
    const messages = [...split.rejectReasons];
    if (split.rejectedSpans > 0) {
      this.metrics.spansRefused.inc({ tenant: tenantId, reason: 'invalid_id' }, split.rejectedSpans);
    }
    if (split.acceptedSpans === 0) {
      this.metrics.requestsRefused.inc({ reason: 'no_valid_spans' });
      const why = messages.length > 0 ? `: ${messages.join('; ')}` : '';
      throw new NoValidSpansError(`request contains no valid spans${why}`);
    }
    const spans = split.acceptedSpans + split.rejectedSpans;
    if (limits) this.refusing(tenantId, spans, () => checkSpansPerRequest(tenantId, spans, limits));
    if (limits && limits.maxAttributeBytes > 0)
      this.truncateAttributes(tenantId, split.fragments, limits.maxAttributeBytes);
    let pushed: Awaited<ReturnType<TraceSink['push']>>;
    try {
      pushed = await this.ingester.push(tenantId, split.fragments);
    } catch (err) {
      if (err instanceof TenantLimitError) this.countRefusal(tenantId, err, split.acceptedSpans);
      throw err;
    }
    if (pushed.refusedSpans > 0) {
      this.metrics.spansRefused.inc({ tenant: tenantId, reason: 'trace_too_large' }, pushed.refusedSpans);
      messages.push(`${pushed.refusedSpans} spans refused: trace exceeds max_bytes_per_trace`);
    }
    this.metrics.spansReceived.inc({ tenant: tenantId }, pushed.acceptedSpans);
    let bytes = 0;
    for (const f of split.fragments) bytes += f.data.length;
    this.metrics.bytesReceived.inc({ tenant: tenantId }, bytes);
    for (const observe of this.observers) observe(tenantId, body);
    const rejectedSpans = split.rejectedSpans + pushed.refusedSpans;
    return {
      acceptedSpans: pushed.acceptedSpans,
      rejectedSpans,
      message: rejectedSpans > 0 ? messages.join('; ') : undefined,
    };
  }

  /** Cuts attribute values past `max_attribute_bytes` in place (the spans are kept, not refused). */
  private truncateAttributes(tenantId: string, fragments: TraceFragment[], limit: number): void {
    let values = 0;
    for (const fragment of fragments) {
      const { data, truncated } = truncateLongAttributes(fragment.data, limit);
      if (truncated === 0) continue;
      fragment.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      values += truncated;
    }
    if (values > 0) this.metrics.attributesTruncated.inc({ tenant: tenantId }, values);
  }

  /** Runs a limit check; a refusal is counted (spans unknown before decoding count as none) and thrown. */
  private refusing(tenantId: string, spans: number | undefined, check: () => void): void {
    try {
      check();
    } catch (err) {
      if (err instanceof TenantLimitError) this.countRefusal(tenantId, err, spans ?? 0);
      throw err;
    }
  }

  private countRefusal(tenantId: string, err: TenantLimitError, spans: number): void {
    this.metrics.requestsRefused.inc({ reason: err.reason });
    this.metrics.tenantRequestsRefused.inc({ tenant: tenantId, reason: err.reason });
    if (spans > 0) this.metrics.spansRefused.inc({ tenant: tenantId, reason: err.reason }, spans);
  }
}
