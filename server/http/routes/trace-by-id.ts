import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTimeRange } from '../../http-util/time-range';
import { encodeTraceByIdResponse, tracesDataToTempoJson } from '../../otlp/tempo-format';
import type { FoundTrace, TraceLookup } from '../../query/find-trace';
import { parseTraceId } from '../../query/parse-trace-id';
import { clientGoneSignal, QueryDeadline } from '../../query-guards/deadline';
import type { Overrides } from '../../tenancy/overrides';

export interface TraceRoutesOptions {
  lookups: TraceLookup;
  /** The lookup answers 504 past this, even while a read from a slow store is under way. */
  timeoutMs?: number;
  overrides: Overrides;
  /**
   * Why a trace that is not found is missing, when Loupe knows (tail sampling dropped it): the
   * answer is then a 404 with that text and `X-Loupe-Not-Kept: sampling`, not an empty trace.
   */
  explainMissing?: (tenantId: string, key: string) => string | undefined;
}

interface TraceRequest {
  Params: { traceId: string };
  Querystring: { start?: string; end?: string };
}

/** Grafana and Tempo's CLI ask for protobuf with `Accept`; everything else gets JSON. */
function acceptsProtobuf(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/protobuf');
}

/** Tempo's `status` and `message` for a lookup: PARTIAL, saying why, when spans were cut. */
function completeness(found: FoundTrace | undefined, maxBytes: number) {
  if (!found?.truncated) return { status: 'COMPLETE' as const };
  const message = `trace exceeds max_bytes_per_trace (${maxBytes} bytes): some spans were refused or cut`;
  return { status: 'PARTIAL' as const, message };
}

/** Tempo's v2 protobuf answer (`TraceByIDResponse`) for a lookup; an empty trace when not found. */
export function traceByIdProtobuf(found: FoundTrace | undefined, maxBytesPerTrace: number): Buffer {
  return encodeTraceByIdResponse({
    trace: found?.data ?? new Uint8Array(0),
    ...completeness(found, maxBytesPerTrace),
  });
}

/** Tempo's trace-by-ID endpoints, v1 and v2, each as JSON or protobuf. */
export async function traceByIdRoutes(app: FastifyInstance, opts: TraceRoutesOptions): Promise<void> {
  /** Sends "not kept by sampling" for a missing trace sampling dropped; false when it did not. */
  const explainedMissing = (request: FastifyRequest<TraceRequest>, reply: FastifyReply): boolean => {
    const { key } = parseTraceId(request.params.traceId);
    const why = opts.explainMissing?.(request.tenantId, key);
    if (!why) return false;
    reply.code(404).header('x-loupe-not-kept', 'sampling').type('text/plain').send(why);
    return true;
  };

  const lookup = async (
    request: FastifyRequest<TraceRequest>,
    reply: FastifyReply,
  ): Promise<FoundTrace | undefined> => {
    const { tenantId } = request;
    const { traceId, key } = parseTraceId(request.params.traceId);
    const lookup = opts.lookups.findTraceById(tenantId, traceId, key, parseTimeRange(request.query));
    if (opts.timeoutMs === undefined) return lookup;
    return new QueryDeadline(opts.timeoutMs, clientGoneSignal(reply.raw)).within(lookup);
  };

  app.get<TraceRequest>('/api/traces/:traceId', async (request, reply: FastifyReply) => {
    const found = await lookup(request, reply);
    if (!found && explainedMissing(request, reply)) return reply;
    if (!found) return reply.code(404).send('');
    if (acceptsProtobuf(request)) return reply.type('application/protobuf').send(found.data);
    return reply.type('application/json').send({ batches: tracesDataToTempoJson(found.data).resourceSpans });
  });

  app.get<TraceRequest>('/api/v2/traces/:traceId', async (request, reply: FastifyReply) => {
    const found = await lookup(request, reply);
    if (!found && explainedMissing(request, reply)) return reply;
    if (acceptsProtobuf(request)) {
      return reply
        .type('application/protobuf')
        .send(traceByIdProtobuf(found, opts.overrides.forTenant(request.tenantId).maxBytesPerTrace));
    }
    const trace = found ? { resourceSpans: tracesDataToTempoJson(found.data).resourceSpans } : {};
    return reply.type('application/json').send({
      trace,
      ...(found?.truncated
        ? completeness(found, opts.overrides.forTenant(request.tenantId).maxBytesPerTrace)
        : {}),
    });
  });
}
