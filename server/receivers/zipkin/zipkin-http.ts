import type { FastifyInstance } from 'fastify';
import type { ReceiverIngestDeps } from '../receiver-deps';
import { isProtobufBody } from '../receiver-http-app';
import { addSpanRoute, buildSpanReceiverApp } from '../span-receiver-http';
import { parseZipkinJson } from './zipkin-json';
import { parseZipkinProtobuf } from './zipkin-proto';
import { ZipkinDecodeError } from './zipkin-span';
import { zipkinToOtlp } from './zipkin-to-otlp';

/** `distributor.receivers.zipkin`, as the receiver uses it. */
export interface ZipkinReceiverConfig {
  host: string;
  port: number;
  /** `max_request_body_size`, after inflating a gzipped body. */
  maxRequestBodyBytes: number;
  /** `parse_string_tags`: tags that look like integers, floats or booleans are stored as those. */
  parseStringTags: boolean;
}

export interface ZipkinHttpDeps extends ReceiverIngestDeps {
  receiver: ZipkinReceiverConfig;
}

/**
 * The Zipkin receiver (:9411): `POST /api/v2/spans` with Zipkin v2 JSON, or protobuf
 * (`ListOfSpans`) when the Content-Type says protobuf, optionally gzipped. Spans are converted to
 * OTLP as the Collector's receiver converts them and pushed through the distributor, so tenancy,
 * limits and refusals are the OTLP receivers': 202 (Zipkin's answer) when taken, also when some
 * spans were refused (the body then says which, as OTLP's `partial_success` would); otherwise the
 * classifier's status with the reason as plain text.
 */
export async function buildZipkinApp(deps: ZipkinHttpDeps): Promise<FastifyInstance> {
  const app = await buildSpanReceiverApp({
    ...deps,
    component: 'zipkin',
    maxRequestBodyBytes: deps.receiver.maxRequestBodyBytes,
  });
  const { parseStringTags } = deps.receiver;
  addSpanRoute(app, deps.distributor, '/api/v2/spans', (body, request) => {
    // As the Collector: protobuf when the Content-Type says so, JSON whatever else it says.
    const spans = isProtobufBody(request)
      ? parseZipkinProtobuf(body, request.headers['x-b3-flags'] === '1')
      : parseZipkinJson(body.toString('utf8'));
    return zipkinToOtlp(spans, { parseStringTags });
  });
  app.post('/api/v1/spans', async () => {
    throw new ZipkinDecodeError(
      'Zipkin v1 spans are not accepted: send Zipkin v2 JSON or protobuf to /api/v2/spans',
    );
  });
  return app;
}
