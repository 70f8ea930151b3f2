import { ErrorCode } from '../errors/error-codes';
import { splitTracesByTraceId, type TraceFragment } from '../otlp/split-traces';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import {
  checkSpansPerRequest,
  type IngestLimits,
  TenantLimitError,
  TraceIngestionRate,
} from './ingest-limits';
import { truncateLongAttributes } from './truncate-attributes';

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
  private readonly rate = new TraceIngestionRate();

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
    if (limits) await this.refusing(tenantId, 0, () => this.rate.take(tenantId, body.length, limits));
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
    if (limits) await this.refusing(tenantId, spans, () => checkSpansPerRequest(tenantId, spans, limits));
    if (limits && limits.maxAttributeBytes > 0)
      this.truncateAttributes(tenantId, split.fragments, limits.maxAttributeBytes);
    const pushed = await this.refusing(tenantId, split.acceptedSpans, () =>
      this.ingester.push(tenantId, split.fragments),
    );
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

  /**
   * Runs `work`; a tenant-limit refusal from it is counted (with `spans`: 0 before decoding, when
   * they are not known yet) and thrown on.
   */
  private async refusing<T>(tenantId: string, spans: number, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof TenantLimitError) {
        this.metrics.requestsRefused.inc({ reason: err.reason });
        this.metrics.tenantRequestsRefused.inc({ tenant: tenantId, reason: err.reason });
        if (spans > 0) this.metrics.spansRefused.inc({ tenant: tenantId, reason: err.reason }, spans);
      }
      throw err;
    }
  }
}
