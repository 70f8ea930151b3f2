import type { ReceiverIngestDeps } from '../receiver-deps';
import type { ReceiverListeners } from '../receiver-listeners';
import { createJaegerGrpcServer } from './jaeger-grpc-server';
import { buildJaegerThriftHttpApp } from './thrift-http-app';

/** `distributor.receivers.jaeger.protocols`: each protocol present is started. */
export interface JaegerReceiversConfig {
  /** `thrift_http` (Collector default :14268): `POST /api/traces`, Thrift binary `Batch`. */
  thriftHttp?: { host: string; port: number; maxRequestBodyBytes: number };
  /** `grpc` (Collector default :14250): `jaeger.api_v2.CollectorService/PostSpans`. */
  grpc?: { host: string; port: number; maxRecvMsgBytes: number };
}

/**
 * Starts the configured Jaeger receivers on `listen`; each converts to OTLP and pushes through
 * the distributor. The listeners take `server.http_server_*` timeouts and the connection cap as
 * the OTLP ones do; their drops are counted in `loupe_connections_dropped_total` under
 * `listener="jaeger_thrift_http"` and `"jaeger_grpc"`.
 */
export async function startJaegerReceivers(
  config: JaegerReceiversConfig,
  ingest: ReceiverIngestDeps & { readTimeoutMs: number },
  listen: ReceiverListeners<'jaegerThriftHttp' | 'jaegerGrpc'>,
): Promise<void> {
  if (config.thriftHttp) {
    const { maxRequestBodyBytes } = config.thriftHttp;
    const app = await buildJaegerThriftHttpApp({ ...ingest, maxRequestBodyBytes });
    await listen.http('jaegerThriftHttp', app, config.thriftHttp, 'jaeger_thrift_http');
  }
  if (config.grpc) {
    const server = createJaegerGrpcServer({
      ...ingest,
      maxRecvMsgBytes: config.grpc.maxRecvMsgBytes,
      onReadTimeout: listen.readTimedOut('jaeger_grpc'),
    });
    await listen.grpc('jaegerGrpc', server, config.grpc);
  }
}
