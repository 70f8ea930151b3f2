import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

const PROTO_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'google/rpc/status.proto',
  'tempo.proto',
];

/** The message types other modules and tests use, looked up once. */
export interface OtlpProtoTypes {
  TracesData: protobuf.Type;
  ResourceSpans: protobuf.Type;
  Span: protobuf.Type;
  ExportTraceServiceRequest: protobuf.Type;
  ExportTraceServiceResponse: protobuf.Type;
  ExportLogsServiceRequest: protobuf.Type;
  ExportLogsServiceResponse: protobuf.Type;
  ExportMetricsServiceRequest: protobuf.Type;
  ExportMetricsServiceResponse: protobuf.Type;
  /** google.rpc.Status: the body of OTLP/HTTP error responses. */
  RpcStatus: protobuf.Type;
  /** tempopb.Trace: wire-identical to TracesData. */
  TempoTrace: protobuf.Type;
  TraceByIDResponse: protobuf.Type;
}

let root: protobuf.Root | undefined;
let types: OtlpProtoTypes | undefined;

/**
 * The protobufjs Root for the OTLP, google.rpc and Tempo protos under ./proto, loaded on first
 * use. Field names are lowerCamelCase (protobufjs' default), as in the OTLP/JSON mapping.
 */
export function otlpProtoRoot(): protobuf.Root {
  if (root) return root;
  const loaded = new protobuf.Root();
  // Imports name paths from the proto directory, not from the importing file.
  loaded.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
  loaded.loadSync(PROTO_FILES);
  loaded.resolveAll();
  root = loaded;
  return loaded;
}

export function otlpProtoTypes(): OtlpProtoTypes {
  if (types) return types;
  const r = otlpProtoRoot();
  const type = (name: string) => r.lookupType(name);
  types = {
    TracesData: type('opentelemetry.proto.trace.v1.TracesData'),
    ResourceSpans: type('opentelemetry.proto.trace.v1.ResourceSpans'),
    Span: type('opentelemetry.proto.trace.v1.Span'),
    ExportTraceServiceRequest: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    ExportTraceServiceResponse: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    ExportLogsServiceRequest: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    ExportLogsServiceResponse: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    ExportMetricsServiceRequest: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    ExportMetricsServiceResponse: type(
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
    ),
    RpcStatus: type('google.rpc.Status'),
    TempoTrace: type('tempopb.Trace'),
    TraceByIDResponse: type('tempopb.TraceByIDResponse'),
  };
  return types;
}
