import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import { countSpans, encodeExportTraceServiceRequest } from './encode-otlp';
import type { OtlpResourceSpans } from './otlp-model';

/**
 * Hands translated spans to the distributor as an OTLP export, as the OTLP receivers do; its
 * refusals (rate limits, decode errors, a full queue) are thrown on for the receiver's error
 * answer. A batch without spans is accepted without a push, as the Collector accepts it (the
 * distributor would call it a request with no valid spans).
 *
 * Jaeger's protocols have no partial success: when the distributor refused some spans and stored
 * the others (a trace past `max_bytes_per_trace`), the request still succeeds (resending would
 * duplicate the stored ones). The refusal is logged and returned as `N of M spans refused: …`,
 * which `thrift_http` sends as the 202's body, as the Zipkin receiver does.
 */
export async function pushJaegerSpans(
  distributor: Distributor,
  tenantId: string,
  resourceSpans: readonly OtlpResourceSpans[],
  log: Logger,
): Promise<string | undefined> {
  const total = countSpans(resourceSpans);
  if (total === 0) return undefined;
  const outcome = await distributor.pushTraces(tenantId, encodeExportTraceServiceRequest(resourceSpans));
  if (outcome.rejectedSpans === 0) return undefined;
  const message = `${outcome.rejectedSpans} of ${total} spans refused: ${outcome.message ?? 'invalid spans'}`;
  log.info({ tenantId, rejectedSpans: outcome.rejectedSpans, msg: message }, 'Jaeger spans refused');
  return message;
}
