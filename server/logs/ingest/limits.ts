import { holdRateLimitRefusal, TenantRateLimiter } from '../../tenancy/tenant-rate-limiter';
import { RateLimitError } from '../errors';
import { streamKey } from '../labels';
import type { LogsLimits } from '../logs-config';
import type { Labels } from '../model';
import { abbreviate, QUOTED_STREAM_CHARS } from './quote';

/** Loki's `ingestion_rate_mb` / `ingestion_burst_size_mb` over pushed line bytes, on the shared per-tenant buckets. */
export class IngestionRateLimiter {
  private readonly buckets = new TenantRateLimiter();

  constructor(private readonly limits: LogsLimits) {}

  /** Takes `bytes` from the tenant's bucket, or waits out the refusal's Retry-After and throws a 429. */
  async take(tenantId: string, bytes: number, lines: number): Promise<void> {
    const { ingestionRateBytesPerSecond: rate, ingestionBurstBytes: burst } = this.limits;
    if (this.buckets.tryTake(tenantId, bytes, rate, burst)) return;
    await holdRateLimitRefusal();
    throw new RateLimitError(
      `Ingestion rate limit exceeded for user ${tenantId} (limit: ${Math.round(rate)} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
    );
  }
}

/** Why a stream's labels are refused: the `loupe_logs_discarded_lines_total` reason and the message. */
export interface LabelsProblem {
  reason: 'invalid_labels' | 'label_name_too_long' | 'label_value_too_long';
  message: string;
}

/**
 * Loki's per-stream label checks, in Loki's order (at least one label, label count, then each
 * label's name and value length in bytes); the first problem, or undefined. Messages are Loki's,
 * with every quoted label cut short, so a 10 MiB value does not make a 10 MiB error.
 */
export function streamLabelsProblem(labels: Labels, limits: LogsLimits): LabelsProblem | undefined {
  const names = Object.keys(labels);
  if (names.length === 0)
    return { reason: 'invalid_labels', message: 'error at least one label pair is required per stream' };
  if (names.length > limits.maxLabelNamesPerSeries)
    return {
      reason: 'invalid_labels',
      message: tooManyLabelsMessage(names.length, limits, shownStream(labels)),
    };
  for (const name of names) {
    const nameBytes = Buffer.byteLength(name);
    if (nameBytes > limits.maxLabelNameLength) {
      return {
        reason: 'label_name_too_long',
        message: `stream '${shownStream(labels)}' has label name too long: '${abbreviate(name)}' (${nameBytes} bytes, over max_label_name_length ${limits.maxLabelNameLength})`,
      };
    }
    const valueBytes = Buffer.byteLength(labels[name]);
    if (valueBytes > limits.maxLabelValueLength) {
      return {
        reason: 'label_value_too_long',
        message: `stream '${shownStream(labels)}' has label value too long: '${abbreviate(labels[name])}' (${valueBytes} bytes, over max_label_value_length ${limits.maxLabelValueLength})`,
      };
    }
  }
  return undefined;
}

/** A stream's label set as messages quote it: each value, then the whole, cut short. */
function shownStream(labels: Labels): string {
  const shortened: Labels = {};
  for (const [name, value] of Object.entries(labels)) shortened[abbreviate(name)] = abbreviate(value);
  return abbreviate(streamKey(shortened), QUOTED_STREAM_CHARS);
}

function tooManyLabelsMessage(count: number, limits: LogsLimits, shown: string): string {
  return `stream '${abbreviate(shown, QUOTED_STREAM_CHARS)}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`;
}

export function lineTooLongMessage(bytes: number, limits: LogsLimits, shown: string): string {
  return `max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${abbreviate(shown, QUOTED_STREAM_CHARS)}' while adding an entry with length '${bytes}' bytes`;
}
