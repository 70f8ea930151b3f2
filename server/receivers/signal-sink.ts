/**
 * Where the OTLP receivers hand logs and metrics. `body` is the protobuf
 * Export{Logs,Metrics}ServiceRequest (JSON bodies are converted first). `push` resolves once the
 * accepted items are durable; it throws an error with `statusCode` 4xx for a request that can
 * not be taken at all (decode error, limits). `server/receivers/ingest-error.ts` turns that into
 * the answer: 4xx → INVALID_ARGUMENT (not retried), 429 → RESOURCE_EXHAUSTED (retried).
 */
export interface SignalSink {
  push(tenantId: string, body: Uint8Array): Promise<SignalPushOutcome>;
}

export interface SignalPushOutcome {
  /** Items (log records, data points) refused: reported in OTLP `partial_success`. */
  rejected: number;
  message?: string;
}

/** The non-trace signals a receiver may serve; absent ones answer 404 / UNIMPLEMENTED. */
export interface SignalSinks {
  logs?: SignalSink;
  metrics?: SignalSink;
}
