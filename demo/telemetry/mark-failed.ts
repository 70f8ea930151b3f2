import { type Span, SpanStatusCode } from '@opentelemetry/api';

/** What a span that caught `err` records: the exception as an event, and status ERROR with its message. */
export function markFailed(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
