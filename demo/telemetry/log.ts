import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';

/**
 * The services' logger: each record goes through the OpenTelemetry Logs API, so the SDK stamps it
 * with the active span's trace and span IDs (OTLP `trace_id`/`span_id`, which Loupe keeps as
 * structured metadata), and its text also ends in `trace_id=<32 hex> span_id=<16 hex>`, the
 * pattern Loupe's logs UI (and Grafana's derived fields) turns into a link to the trace. A copy
 * goes to stdout, which the launcher writes to `<data dir>/logs/<service>.log`.
 */

type Field = string | number | boolean | undefined;
export type LogFields = Record<string, Field>;

const SEVERITY = {
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
} as const;

type Level = keyof typeof SEVERITY;

function logfmt(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const text = String(value);
      return `${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

function emit(level: Level, message: string, fields: LogFields): void {
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  const ids = spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
  const body = [message, logfmt({ ...fields, ...ids })].filter(Boolean).join(' ');
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) attributes[key] = value;
  logs.getLogger('loupe-demo').emit({
    context: active,
    severityNumber: SEVERITY[level],
    severityText: level,
    body,
    attributes,
  });
  console.log(`${new Date().toISOString()} ${level} ${body}`);
}

export const log = {
  info: (message: string, fields: LogFields = {}) => emit('INFO', message, fields),
  warn: (message: string, fields: LogFields = {}) => emit('WARN', message, fields),
  /**
   * An ERROR record, and the active span marked failed with the exception recorded on it: a
   * line logged as an error always belongs to a trace that Loupe's `errors` policy keeps, so its
   * trace link opens.
   */
  error: (message: string, fields: LogFields = {}, error?: Error) => {
    const span = trace.getActiveSpan();
    if (span) {
      if (error) span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    }
    emit('ERROR', message, { ...fields, ...(error ? { error: error.message } : {}) });
  },
};
