import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { encodeExportResponseJson, encodeExportResponseProtobuf } from '../otlp/export-response';
import { type OtlpSignal, otlpJsonToProtobuf } from '../otlp/otlp-json';
import type { AuthConfig } from '../tenancy/auth-config';
import { httpTenancy } from '../tenancy/http-tenancy';
import { type ExportHandler, exportHandlers } from './export-handlers';
import { gunzipBody } from './gzip-body';
import { isProtobufBody, replyWithOtlpError } from './otlp-http-errors';
import type { SignalSinks } from './signal-sink';

/** `distributor.receivers.otlp.protocols.http`, as the receiver uses it. */
export interface OtlpHttpReceiverConfig {
  /** `max_request_body_size`, after inflating a gzipped body. */
  maxRequestBodyBytes: number;
  /** `cors.allowed_origins`; none: no CORS headers. */
  corsAllowedOrigins: string[];
}

export interface OtlpHttpDeps {
  receiver: OtlpHttpReceiverConfig;
  multitenancyEnabled: boolean;
  /** `auth:`: every request must carry a tenant's credentials (`Authorization`). */
  auth?: AuthConfig;
  distributor: Distributor;
  logger: Logger;
  /** `/v1/logs` and `/v1/metrics` exist only when their sink does. */
  sinks?: SignalSinks;
}

const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];

/** Turns `cors.allowed_origins` (exact origins, `*`, or `https://*.example.com`) into matchers. */
function originMatchers(origins: string[]): (string | RegExp)[] | boolean {
  if (origins.includes('*')) return true;
  return origins.map((origin) => {
    if (!origin.includes('*')) return origin;
    const escaped = origin.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${escaped}$`);
  });
}

/** The OTLP/HTTP receiver (:4318): `POST /v1/traces`, `/v1/logs`, `/v1/metrics` in protobuf or JSON, optionally gzipped. */
export async function buildOtlpHttpApp(deps: OtlpHttpDeps): Promise<FastifyInstance> {
  const http = deps.receiver;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'otlp-http' }) as FastifyBaseLogger,
    bodyLimit: http.maxRequestBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  if (http.corsAllowedOrigins.length > 0) {
    await app.register(cors, {
      origin: originMatchers(http.corsAllowedOrigins),
      methods: ['POST'],
      allowedHeaders: [
        'Content-Type',
        'Content-Encoding',
        'X-Scope-OrgID',
        ...(deps.auth ? ['Authorization'] : []),
      ],
    });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    [...PROTOBUF_TYPES, 'application/json'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
  app.addHook('preParsing', gunzipBody);
  app.setErrorHandler(replyWithOtlpError);
  await app.register(httpTenancy, { multitenancyEnabled: deps.multitenancyEnabled, auth: deps.auth });

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
