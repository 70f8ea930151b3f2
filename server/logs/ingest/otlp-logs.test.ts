import { describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { LogsRequestError } from '../errors';
import { buildLogsConfig } from '../logs-config';
import { convertOtlpLogs } from './otlp-logs';

const config = buildLogsConfig((_p, fallback) => fallback, { blockRetentionMs: 1, walPath: '/tmp/x' });
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(
  resourceAttributes: object[],
  records: object[],
  scope: object = { name: 'lib', version: '2' },
) {
  const type = otlpProtoTypes().ExportLogsServiceRequest;
  return type
    .encode(
      type.fromObject({
        resourceLogs: [
          { resource: { attributes: resourceAttributes }, scopeLogs: [{ scope, logRecords: records }] },
        ],
      }),
    )
    .finish();
}

describe("OTLP logs with Loki's label conventions", () => {
  it('promotes the default resource attributes to labels, dots to underscores; the rest is metadata', () => {
    const body = request(
      [
        str('service.name', 'cart'),
        str('k8s.pod.name', 'cart-7d9'),
        str('deployment.environment', 'prod'),
        str('host.name', 'node-1'),
        { key: 'process.pid', value: { intValue: 4242 } },
      ],
      [
        {
          timeUnixNano: '1700000000123456789',
          severityNumber: 17,
          severityText: 'ERROR',
          body: { stringValue: 'boom' },
          attributes: [str('http.route', '/cart'), { key: 'retry', value: { boolValue: true } }],
          traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
          spanId: Buffer.from('b7ad6b7169203331', 'hex'),
          flags: 1,
        },
      ],
    );
    const { push, rejected } = convertOtlpLogs(body, config.limits, config.otlpIndexLabels);
    expect(rejected.count).toBe(0);
    expect(push.streams).toHaveLength(1);
    const [stream] = push.streams;
    expect(stream.labels).toEqual({
      deployment_environment: 'prod',
      k8s_pod_name: 'cart-7d9',
      service_name: 'cart',
    });
    expect(Object.keys(stream.labels)).toEqual(['deployment_environment', 'k8s_pod_name', 'service_name']);
    const [entry] = stream.entries;
    expect([entry.ms, entry.ns, entry.line]).toEqual([1700000000123, 456789, 'boom']);
    expect(entry.meta).toEqual({
      host_name: 'node-1',
      process_pid: '4242',
      scope_name: 'lib',
      scope_version: '2',
      http_route: '/cart',
      retry: 'true',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      severity_text: 'ERROR',
      severity_number: '17',
      flags: '1',
      detected_level: 'error',
    });
  });

  it('names a stream without service.name unknown_service and writes non-string bodies as JSON', () => {
    const body = request(
      [],
      [
        {
          observedTimeUnixNano: '1700000000000000001',
          body: {
            kvlistValue: { values: [str('event', 'login'), { key: 'ok', value: { boolValue: true } }] },
          },
        },
      ],
    );
    const { push } = convertOtlpLogs(body, config.limits, config.otlpIndexLabels);
    expect(push.streams[0].labels).toEqual({ service_name: 'unknown_service' });
    expect(push.streams[0].entries[0]).toMatchObject({
      ms: 1700000000000,
      ns: 1,
      line: '{"event":"login","ok":true}',
    });
    expect(push.streams[0].entries[0].meta?.detected_level).toBe('unknown');
  });

  it('honours otlp_index_labels and rejects only the records over max_line_size', () => {
    const body = request(
      [str('service.name', 'api'), str('team', 'core')],
      [{ body: { stringValue: 'ok' } }, { body: { stringValue: 'x'.repeat(300) } }],
    );
    const limits = { ...config.limits, maxLineBytes: 100 };
    const { push, rejected } = convertOtlpLogs(body, limits, ['service.name', 'team']);
    expect(push.streams[0].labels).toEqual({ service_name: 'api', team: 'core' });
    expect(push.streams[0].entries.map((e) => e.line)).toEqual(['ok']);
    expect(rejected.count).toBe(1);
    expect(rejected.message).toContain("max entry size '100' bytes exceeded");
  });

  it('refuses a body that is not protobuf with a 400', () => {
    expect(() => convertOtlpLogs(Buffer.from([0x0a, 0xff, 0xff]), config.limits, [])).toThrow(
      LogsRequestError,
    );
  });
});
