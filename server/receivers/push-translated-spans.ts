import type { BaseLogger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { encodeExportTraceServiceRequest } from '../otlp/otlp-traces-encoder';
import { countSpans, type OtlpResourceSpans } from '../otlp/otlp-traces-model';

/**
 * Hands spans a receiver translated from a foreign format (Zipkin, Jaeger) to the distributor as
 * an OTLP export, so tenancy, limits and refusals are the OTLP receivers'. Its refusals (rate
 * limits, a full queue) are thrown on for the receiver's error answer. A request without spans is
 * accepted without a push, as the Collector accepts it (the distributor would call it a request
 * with no valid spans).
 *
 * Neither Zipkin nor Jaeger has OTLP's partial success: when the distributor refused some spans
 * and stored the others (an all-zero trace ID, a trace past `max_bytes_per_trace`), the request
 * still succeeds (resending would duplicate the stored ones). The refusal is logged and returned
 * as `N of M spans refused: …`, which the HTTP receivers send as the body of their 202.
 */
export async function pushTranslatedSpans(
  distributor: Distributor,
  tenantId: string,
  resourceSpans: readonly OtlpResourceSpans[],
  log: Pick<BaseLogger, 'info'>,
): Promise<string | undefined> {
  const total = countSpans(resourceSpans);
  if (total === 0) return undefined;
  const outcome = await distributor.pushTraces(tenantId, encodeExportTraceServiceRequest(resourceSpans));
  if (outcome.rejectedSpans === 0) return undefined;
  const message = `${outcome.rejectedSpans} of ${total} spans refused: ${outcome.message ?? 'invalid spans'}`;
  log.info({ tenantId, rejectedSpans: outcome.rejectedSpans, msg: message }, 'spans refused');
  return message;
}
