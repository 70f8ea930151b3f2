import {
  ConfigError,
  type Endpoint,
  readBool,
  readBytes,
  readDuration,
  readEndpoint,
  readInt,
  readStringList,
  readUnsupportedTls,
} from '../config-reader/config-values';
import { ignoring, type Section } from '../config-reader/schema-node';
import type { ConfigGetter } from '../config-reader/types';
import { buildGrpcKeepalive } from '../receivers/grpc-limits';
import type { LoupeConfig } from './types';

/**
 * `distributor.receivers`: the OpenTelemetry Collector receivers Tempo embeds, with their keys
 * and defaults. OTLP, Jaeger and Zipkin are started when present (and only then, as in Tempo);
 * a file without any opens none, the built-in defaults open OTLP's two.
 */

const MiB = 1024 * 1024;
const RECEIVERS = 'distributor.receivers';
const OTLP = `${RECEIVERS}.otlp`;
const JAEGER = `${RECEIVERS}.jaeger`;
const ZIPKIN = `${RECEIVERS}.zipkin`;

/** The Collector's defaults. */
const DEFAULTS = {
  otlpGrpcEndpoint: '0.0.0.0:4317',
  otlpHttpEndpoint: '0.0.0.0:4318',
  zipkinEndpoint: '0.0.0.0:9411',
  jaegerThriftHttpEndpoint: '0.0.0.0:14268',
  jaegerGrpcEndpoint: '0.0.0.0:14250',
  maxRecvMsgSizeMib: 20,
  maxRequestBodyBytes: 20 * MiB,
} as const;

/** The presence of the protocols the built-in defaults open (OTLP gRPC and HTTP). */
export const DEFAULT_RECEIVER_SECTIONS = [
  OTLP,
  `${OTLP}.protocols`,
  `${OTLP}.protocols.grpc`,
  `${OTLP}.protocols.http`,
];

const grpcServerKeys = [
  'transport',
  'max_concurrent_streams',
  'read_buffer_size',
  'write_buffer_size',
  'auth',
  'include_metadata',
];
const httpServerKeys = [
  'auth',
  'include_metadata',
  'response_headers',
  'compression_algorithms',
  'keepalives_enabled',
];
/** A receiver's `tls`: the Collector serves TLS with it; Loupe's receivers are plain text. */
const tls = readUnsupportedTls(
  "Loupe's receivers take plain-text OTLP, Zipkin and Jaeger; terminate TLS in a proxy or an OpenTelemetry Collector in front of them",
);

const httpTimeouts = ['read_timeout', 'read_header_timeout', 'write_timeout', 'idle_timeout'];
const serverTimeouts = 'the server.http_server_* timeouts apply to every listener';

const otlpGrpc: Section = {
  endpoint: readEndpoint,
  max_recv_msg_size_mib: readInt(0),
  keepalive: {
    server_parameters: {
      max_connection_idle: readDuration,
      max_connection_age: readDuration,
      max_connection_age_grace: readDuration,
      time: readDuration,
      timeout: readDuration,
    },
    ...ignoring(['enforcement_policy']),
  },
  tls,
  ...ignoring(grpcServerKeys),
};

const otlpHttp: Section = {
  endpoint: readEndpoint,
  max_request_body_size: readBytes,
  cors: { allowed_origins: readStringList, ...ignoring(['allowed_headers', 'max_age']) },
  tls,
  ...ignoring([...httpServerKeys, 'traces_url_path', 'metrics_url_path', 'logs_url_path']),
};

/** confighttp's keys, as the Zipkin receiver and Jaeger's thrift_http take them. */
const httpServer = (extra: Section = {}): Section => ({
  endpoint: readEndpoint,
  max_request_body_size: readBytes,
  tls,
  ...extra,
  ...ignoring([...httpServerKeys, 'cors']),
  ...ignoring(httpTimeouts, serverTimeouts),
});

export const RECEIVERS_SCHEMA: Section = {
  otlp: { protocols: { grpc: otlpGrpc, http: otlpHttp } },
  zipkin: httpServer({ parse_string_tags: readBool }),
  jaeger: {
    protocols: {
      thrift_http: httpServer(),
      grpc: {
        endpoint: readEndpoint,
        max_recv_msg_size_mib: readInt(0),
        tls,
        ...ignoring([...grpcServerKeys, 'keepalive']),
      },
      ...ignoring(
        ['thrift_compact', 'thrift_binary'],
        'Jaeger agent UDP protocols; Loupe takes Jaeger spans over thrift_http and grpc',
      ),
    },
    ...ignoring(['remote_sampling']),
  },
  ...ignoring(['opencensus', 'kafka'], 'Loupe receives OTLP, Jaeger and Zipkin'),
};

/** What `buildReceiversConfig` reads: the loader's values, and whether a section was present. */
export interface ReceiverValues {
  has(path: string): boolean;
  get: ConfigGetter;
}

/**
 * The receivers the file asks for, each at the Collector's defaults where a key is absent.
 * Throws `ConfigError` for an otlp or jaeger receiver without protocols, as the Collector does.
 */
export function buildReceiversConfig(
  { has, get }: ReceiverValues,
  warnings: string[],
): LoupeConfig['receivers'] {
  const endpoint = (key: string, fallback: string): Endpoint =>
    get<Endpoint>(`${key}.endpoint`, readEndpoint(fallback, `${key}.endpoint`));
  // 0 means "the default" for the Collector's size settings.
  const bodyLimit = (key: string) =>
    get<number>(`${key}.max_request_body_size`, 0) || DEFAULTS.maxRequestBodyBytes;
  const recvLimit = (key: string) =>
    (get<number>(`${key}.max_recv_msg_size_mib`, 0) || DEFAULTS.maxRecvMsgSizeMib) * MiB;
  const receivers: LoupeConfig['receivers'] = {};

  if (has(OTLP) && !has(`${OTLP}.protocols.grpc`) && !has(`${OTLP}.protocols.http`)) {
    // The OpenTelemetry Collector refuses an otlp receiver without protocols; so does Tempo.
    throw new ConfigError(
      `config key "${OTLP}" must list at least one protocol under protocols: (grpc: and/or http:)`,
    );
  }
  const grpcKey = `${OTLP}.protocols.grpc`;
  if (has(grpcKey)) {
    receivers.grpc = {
      ...endpoint(grpcKey, DEFAULTS.otlpGrpcEndpoint),
      maxRecvMsgBytes: recvLimit(grpcKey),
      keepalive: buildGrpcKeepalive(get, grpcKey),
    };
  }
  const httpKey = `${OTLP}.protocols.http`;
  if (has(httpKey)) {
    receivers.http = {
      ...endpoint(httpKey, DEFAULTS.otlpHttpEndpoint),
      maxRequestBodyBytes: bodyLimit(httpKey),
      corsAllowedOrigins: get<string[]>(`${httpKey}.cors.allowed_origins`, []),
    };
  }

  if (has(ZIPKIN)) {
    receivers.zipkin = {
      ...endpoint(ZIPKIN, DEFAULTS.zipkinEndpoint),
      maxRequestBodyBytes: bodyLimit(ZIPKIN),
      parseStringTags: get(`${ZIPKIN}.parse_string_tags`, false),
    };
  }

  if (has(JAEGER)) {
    // As the Collector, which refuses a jaeger receiver without protocols. (A `protocols:` with only
    // the UDP agent protocols, which are ignored with a warning, starts nothing, and is no error.)
    if (!has(`${JAEGER}.protocols`)) {
      throw new ConfigError(
        `config key "${JAEGER}" must list at least one protocol under protocols: (thrift_http: and/or grpc:)`,
      );
    }
    const jaeger: NonNullable<LoupeConfig['receivers']['jaeger']> = {};
    const thriftKey = `${JAEGER}.protocols.thrift_http`;
    if (has(thriftKey)) {
      jaeger.thriftHttp = {
        ...endpoint(thriftKey, DEFAULTS.jaegerThriftHttpEndpoint),
        maxRequestBodyBytes: bodyLimit(thriftKey),
      };
    }
    const jaegerGrpcKey = `${JAEGER}.protocols.grpc`;
    if (has(jaegerGrpcKey)) {
      jaeger.grpc = {
        ...endpoint(jaegerGrpcKey, DEFAULTS.jaegerGrpcEndpoint),
        maxRecvMsgBytes: recvLimit(jaegerGrpcKey),
      };
    }
    if (jaeger.thriftHttp || jaeger.grpc) receivers.jaeger = jaeger;
  }

  if (!receivers.grpc && !receivers.http && !receivers.zipkin && !receivers.jaeger) {
    warnings.push(`no receiver configured (${OTLP}, ${JAEGER} or ${ZIPKIN}): Loupe will not accept traces`);
  }
  return receivers;
}
