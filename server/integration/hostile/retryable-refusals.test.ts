import * as grpc from '@grpc/grpc-js';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, lokiGet } from '../support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';

/**
 * A refusal that may succeed later (a tenant over its rate) must be answered with a code OTLP
 * exporters retry: 429 over HTTP, `RESOURCE_EXHAUSTED` over gRPC. `INVALID_ARGUMENT` would make
 * the exporter drop the batch. Each case uses its own tenant, so each has its own full bucket.
 */
const RATE_BYTES_PER_SECOND = 500;
const BURST_BYTES = 1500;
const LINE = 'r'.repeat(100);

/** Passes every export through and keeps what the real exporter reported for each batch. */
class RecordingExporter implements LogRecordExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: LogRecordExporter) {}
  export(logs: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(logs, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Emits `lines` records of 100 bytes as one batch and waits for the exporter's answer. */
async function emitBatch(exporter: RecordingExporter, service: string, lines: number): Promise<ExportResult> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512 })],
  });
  const logger = provider.getLogger('hostile');
  for (let i = 0; i < lines; i++) logger.emit({ body: LINE, timestamp: Date.now() - 1000 + i });
  const before = exporter.results.length;
  await provider.forceFlush();
  expect(exporter.results.length).toBe(before + 1);
  return exporter.results[before];
}

const identity = (b: Buffer): Buffer => b;

/** A raw `LogsService/Export` call, to read the trailers an exporter sees. */
function grpcLogsExport(address: string, tenant: string, body: Buffer): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-scope-orgid', tenant);
  return new Promise<grpc.ServiceError | null>((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
      identity,
      identity,
      body,
      metadata,
      { deadline: Date.now() + 10_000 },
      (err: grpc.ServiceError | null) => resolve(err),
    );
  }).finally(() => client.close());
}

/** An ExportLogsServiceRequest of `lines` 100-byte records for `service`, written from field numbers. */
function logsRequest(service: string, lines: number): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork(); // resource_logs
  w.uint32((1 << 3) | 2).fork(); // resource
  w.uint32((1 << 3) | 2).fork(); // attributes: KeyValue
  w.uint32((1 << 3) | 2).string('service.name');
  w.uint32((2 << 3) | 2)
    .fork()
    .uint32((1 << 3) | 2)
    .string(service)
    .ldelim();
  w.ldelim().ldelim();
  w.uint32((2 << 3) | 2).fork(); // scope_logs
  for (let i = 0; i < lines; i++) {
    w.uint32((2 << 3) | 2).fork(); // log_records
    w.uint32((1 << 3) | 1).fixed64((BigInt(Date.now() - 1000 + i) * 1_000_000n).toString()); // time_unix_nano
    w.uint32((5 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string(LINE)
      .ldelim(); // body
    w.ldelim();
  }
  w.ldelim().ldelim();
  return Buffer.from(w.finish());
}

/** The `google.rpc.RetryInfo` delay (seconds) inside a `grpc-status-details-bin` Status. */
function retryDelaySeconds(statusBytes: Buffer): number | undefined {
  const Status = protobuf.Root.fromJSON({
    nested: {
      Status: {
        fields: {
          code: { type: 'int32', id: 1 },
          message: { type: 'string', id: 2 },
          details: { rule: 'repeated', type: 'Any', id: 3 },
        },
      },
      Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
      RetryInfo: { fields: { retry_delay: { type: 'Duration', id: 1 } } },
      Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    },
  });
  const status = Status.lookupType('Status').decode(statusBytes) as unknown as {
    details: { type_url: string; value: Uint8Array }[];
  };
  const detail = status.details.find((d) => d.type_url === 'type.googleapis.com/google.rpc.RetryInfo');
  if (!detail) return undefined;
  const info = Status.lookupType('RetryInfo').decode(detail.value) as unknown as {
    retry_delay: { seconds: number | { toNumber(): number } };
  };
  const { seconds } = info.retry_delay;
  return typeof seconds === 'number' ? seconds : seconds.toNumber();
}

describe('refusals that may succeed later are retryable', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe({
      multitenancyEnabled: true,
      logs: {
        limits: { ingestionRateBytesPerSecond: RATE_BYTES_PER_SECOND, ingestionBurstBytes: BURST_BYTES },
      },
    });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const linesOf = async (tenant: string, service: string) => {
    const res = await lokiGet(
      server.api,
      '/loki/api/v1/query_range',
      { query: `{service_name="${service}"}`, limit: '1000' },
      { 'X-Scope-OrgID': tenant },
    );
    expect(res.status).toBe(200);
    return flatten(res.json()).length;
  };

  it('gRPC logs push over the rate: the real exporter gets RESOURCE_EXHAUSTED, not INVALID_ARGUMENT', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-scope-orgid', 'grpc-tenant');
    const exporter = new RecordingExporter(new GrpcLogExporter({ url: `http://${server.grpc}`, metadata }));
    const first = await emitBatch(exporter, 'grpc-flood', 10);
    expect(first.error).toBeUndefined();
    const second = await emitBatch(exporter, 'grpc-flood', 10);
    const error = second.error as (Error & { code?: number }) | undefined;
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.message).toContain('Ingestion rate limit exceeded');
    await exporter.shutdown();
    expect(await linesOf('grpc-tenant', 'grpc-flood')).toBe(10);
  });

  it('gRPC refusal carries RetryInfo, which the Collector requires before retrying RESOURCE_EXHAUSTED', async () => {
    expect(await grpcLogsExport(server.grpc, 'raw-tenant', logsRequest('raw-flood', 10))).toBeNull();
    const err = await grpcLogsExport(server.grpc, 'raw-tenant', logsRequest('raw-flood', 10));
    expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const details = err?.metadata.get('grpc-status-details-bin')[0];
    expect(Buffer.isBuffer(details)).toBe(true);
    expect(retryDelaySeconds(details as Buffer)).toBeGreaterThan(0);
  });

  it('HTTP logs push over the rate: 429 with Retry-After; the real exporter retries and nothing is lost', async () => {
    const exporter = new RecordingExporter(
      new ProtoLogExporter({ url: `${server.otlp}/v1/logs`, headers: { 'X-Scope-OrgID': 'http-tenant' } }),
    );
    expect((await emitBatch(exporter, 'http-flood', 10)).error).toBeUndefined();
    const raw = await fetch(`${server.otlp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'x-scope-orgid': 'http-tenant' },
      body: new Uint8Array(logsRequest('http-flood', 10)),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    // The bucket refills at 500 B/s: the exporter's retries land this 1,000-byte batch.
    const retried = await emitBatch(exporter, 'http-flood', 10);
    expect(retried.error).toBeUndefined();
    await exporter.shutdown();
    expect(await linesOf('http-tenant', 'http-flood')).toBe(20);
  });
});
