import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
} from '../otlp/export-response';
import { type OtlpSignal, otlpJsonToProtobuf } from '../otlp/otlp-json';
import { type ExportHandler, exportHandlers } from './export-handlers';
import type { ClassifiedIngestError } from './ingest-error';
import type { ReceiverIngestDeps } from './receiver-deps';
import { buildReceiverHttpApp, isProtobufBody } from './receiver-http-app';
import type { SignalSinks } from './signal-sink';

/** `distributor.receivers.otlp.protocols.http`, as the receiver uses it. */
export interface OtlpHttpReceiverConfig {
  /** `max_request_body_size`, after inflating a gzipped body. */
  maxRequestBodyBytes: number;
  /** `cors.allowed_origins`; none: no CORS headers. */
  corsAllowedOrigins: string[];
}

export interface OtlpHttpDeps extends ReceiverIngestDeps {
  receiver: OtlpHttpReceiverConfig;
  /** `/v1/logs` and `/v1/metrics` exist only when their sink does. */
  sinks?: SignalSinks;
}

const CONTENT_TYPES = ['application/x-protobuf', 'application/protobuf', 'application/json'];

/** A refusal as a `google.rpc.Status`, in the request's own encoding. */
function sendStatus(
  reply: FastifyReply,
  refusal: ClassifiedIngestError,
  request: FastifyRequest,
): FastifyReply {
  if (isProtobufBody(request)) {
    return reply
      .type('application/x-protobuf')
      .send(encodeStatusProtobuf(refusal.grpcCode, refusal.message, refusal.retryAfterSeconds));
  }
  return reply.type('application/json').send(encodeStatusJson(refusal.grpcCode, refusal.message));
}

/** The OTLP/HTTP receiver (:4318): `POST /v1/traces`, `/v1/logs`, `/v1/metrics` in protobuf or JSON, optionally gzipped. */
export async function buildOtlpHttpApp(deps: OtlpHttpDeps): Promise<FastifyInstance> {
  const app = await buildReceiverHttpApp({
    component: 'otlp-http',
    logger: deps.logger,
    multitenancyEnabled: deps.multitenancyEnabled,
    auth: deps.auth,
    maxRequestBodyBytes: deps.receiver.maxRequestBodyBytes,
    corsAllowedOrigins: deps.receiver.corsAllowedOrigins,
    contentTypes: CONTENT_TYPES,
    sendRefusal: sendStatus,
  });
  const route = (signal: OtlpSignal, push: ExportHandler) => {
    app.post(`/v1/${signal}`, async (request, reply) => {
      const tenantId = request.tenantId;
      const raw = request.body as Buffer;
      const body = isProtobufBody(request) ? raw : otlpJsonToProtobuf(raw.toString('utf8'), signal);
      const partial = await push(tenantId, body);
      if (isProtobufBody(request)) {
        return reply.type('application/x-protobuf').send(encodeExportResponseProtobuf(signal, partial));
      }
      return reply.type('application/json').send(encodeExportResponseJson(signal, partial));
    });
  };
  for (const [signal, handler] of exportHandlers(deps.distributor, deps.sinks)) route(signal, handler);
  return app;
}
