import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { forEachSpan } from '../../otlp/span-visitor';
import { decodeExportResponse, decodeRpcStatus, type PartialSuccess, type RpcStatus } from './otlp-response';
import { type FlatSpan, flattenResourceSpans } from './tempo-json';
import { decodeTempoMessage } from './tempo-proto';

/** What an OTLP/HTTP push came back with. */
export interface PushResult {
  status: number;
  contentType: string;
  /** Set on a 2xx whose body carries `partial_success`. */
  partialSuccess?: PartialSuccess;
  /** Set on a 4xx/5xx with a decodable `google.rpc.Status` body. */
  error?: RpcStatus;
  body: Buffer;
}

export interface PushOptions {
  tenant?: string;
  gzip?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

/** POSTs raw bytes to `/v1/traces` and decodes the answer the way an OTLP exporter would. */
export async function postTraces(
  otlpBase: string,
  payload: Uint8Array | string,
  opts: PushOptions = {},
): Promise<PushResult> {
  const raw = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const headers: Record<string, string> = {
    'content-type':
      opts.contentType ?? (typeof payload === 'string' ? 'application/json' : 'application/x-protobuf'),
    ...opts.headers,
  };
  if (opts.tenant !== undefined) headers['x-scope-orgid'] = opts.tenant;
  let body = raw;
  if (opts.gzip) {
    body = gzipSync(raw);
    headers['content-encoding'] = 'gzip';
  }
  const res = await fetch(`${otlpBase}/v1/traces`, { method: 'POST', headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const contentType = res.headers.get('content-type') ?? '';
  const result: PushResult = { status: res.status, contentType, body: bytes };
  const isJson = contentType.includes('json');
  if (res.status < 300) {
    if (isJson) {
      const parsed = JSON.parse(bytes.toString('utf8') || '{}') as {
        partialSuccess?: Partial<PartialSuccess>;
      };
      if (parsed.partialSuccess && Object.keys(parsed.partialSuccess).length > 0) {
        result.partialSuccess = {
          rejectedSpans: Number(parsed.partialSuccess.rejectedSpans ?? 0),
          errorMessage: parsed.partialSuccess.errorMessage ?? '',
        };
      }
    } else {
      result.partialSuccess = decodeExportResponse(bytes).partialSuccess;
    }
  } else if (bytes.length > 0) {
    try {
      result.error = isJson ? (JSON.parse(bytes.toString('utf8')) as RpcStatus) : decodeRpcStatus(bytes);
    } catch {
      // leave undefined: the test decides whether an undecodable error body matters
    }
  }
  return result;
}

/** The four ways Grafana and other clients read a trace by ID. */
export type TraceForm = 'v1-json' | 'v2-json' | 'v1-proto' | 'v2-proto';
export const TRACE_FORMS: TraceForm[] = ['v1-json', 'v2-json', 'v1-proto', 'v2-proto'];

export interface TraceAnswer {
  httpStatus: number;
  spans: FlatSpan[];
  /** v2 only: `PARTIAL` when the trace was cut at max_bytes_per_trace. */
  status?: string;
  message?: string;
  body: Buffer;
}

export interface QueryOptions {
  tenant?: string;
  start?: number;
  end?: number;
}

function traceUrl(apiBase: string, form: TraceForm, id: string, opts: QueryOptions): string {
  const path = form.startsWith('v1') ? '/api/traces/' : '/api/v2/traces/';
  const params = new URLSearchParams();
  if (opts.start !== undefined) params.set('start', String(opts.start));
  if (opts.end !== undefined) params.set('end', String(opts.end));
  const query = params.size > 0 ? `?${params}` : '';
  return `${apiBase}${path}${id}${query}`;
}

/**
 * Fetches a trace in one form and flattens it. Protobuf answers are decoded with Tempo's
 * message types, as Grafana decodes them; JSON answers go through the strict JSON reader.
 */
export async function fetchTrace(
  apiBase: string,
  id: string,
  form: TraceForm,
  opts: QueryOptions = {},
): Promise<TraceAnswer> {
  const headers: Record<string, string> = {};
  if (form.endsWith('proto')) headers.accept = 'application/protobuf';
  if (opts.tenant !== undefined) headers['x-scope-orgid'] = opts.tenant;
  const res = await fetch(traceUrl(apiBase, form, id, opts), { headers });
  const body = Buffer.from(await res.arrayBuffer());
  const answer: TraceAnswer = { httpStatus: res.status, spans: [], body };
  if (res.status !== 200) return answer;
  switch (form) {
    case 'v1-json': {
      const json = JSON.parse(body.toString('utf8')) as { batches?: unknown };
      answer.spans = flattenResourceSpans(json.batches);
      break;
    }
    case 'v2-json': {
      const json = JSON.parse(body.toString('utf8')) as {
        trace?: { resourceSpans?: unknown };
        status?: string;
        message?: string;
      };
      answer.spans = flattenResourceSpans(json.trace?.resourceSpans);
      answer.status = json.status;
      answer.message = json.message;
      break;
    }
    case 'v1-proto': {
      const trace = decodeTempoMessage('tempopb.Trace', body);
      answer.spans = flattenResourceSpans(trace.field(1));
      break;
    }
    case 'v2-proto': {
      const response = decodeTempoMessage('tempopb.TraceByIDResponse', body);
      const trace = response.field(1) as Record<string, unknown> | undefined;
      const resourceSpans = trace ? trace[response.nestedFieldName(1, 1)] : undefined;
      answer.spans = flattenResourceSpans(resourceSpans);
      answer.status = response.field(3) as string | undefined;
      answer.message = response.field(4) as string | undefined;
      break;
    }
  }
  return answer;
}

/** `/ready` answers 200 (the process is up and serving). */
export async function isReady(apiBase: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiBase}/ready`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Sum of the samples of a metric whose labels include `labels`, from a Prometheus text scrape. */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? ([^ ]+)/.exec(line);
    if (!match) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      found[pair[1]] = pair[2];
    }
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

export async function scrapeMetrics(apiBase: string): Promise<string> {
  const res = await fetch(`${apiBase}/metrics`);
  return res.text();
}

export interface GrpcExportResult {
  code: grpc.status;
  details: string;
  partialSuccess?: PartialSuccess;
}

const identity = (b: Buffer): Buffer => b;

/**
 * Sends raw bytes as an OTLP/gRPC `TraceService/Export` call: what any gRPC exporter puts on
 * the wire, without an encoder that would refuse to send garbage.
 */
export async function grpcExport(
  address: string,
  body: Uint8Array,
  opts: { tenant?: string; gzip?: boolean } = {},
): Promise<GrpcExportResult> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    ...(opts.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
  });
  const metadata = new grpc.Metadata();
  if (opts.tenant !== undefined) metadata.set('x-scope-orgid', opts.tenant);
  try {
    return await new Promise<GrpcExportResult>((resolve) => {
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        identity,
        identity,
        Buffer.from(body),
        metadata,
        { deadline: Date.now() + 10_000 },
        (err: grpc.ServiceError | null, response?: Buffer) => {
          if (err) resolve({ code: err.code, details: err.details });
          else
            resolve({
              code: grpc.status.OK,
              details: '',
              partialSuccess: response ? decodeExportResponse(response).partialSuccess : undefined,
            });
        },
      );
    });
  } finally {
    client.close();
  }
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Spans per trace (hex ID) of OTLP request bodies: what the server must answer for each trace. */
export function spanCountsOf(
  requests: readonly Uint8Array[],
  into = new Map<string, number>(),
): Map<string, number> {
  for (const request of requests) {
    forEachSpan(request, (view) => {
      const id = view.idHex(view.traceIdAt, view.traceIdLength);
      into.set(id, (into.get(id) ?? 0) + 1);
    });
  }
  return into;
}

/** The traces that do not come back whole by ID (`<id>: <status>, <n> of <m>`); [] when all do. */
export async function incompleteTraces(
  apiBase: string,
  expected: ReadonlyMap<string, number>,
  form: TraceForm = 'v2-proto',
): Promise<string[]> {
  const misses: string[] = [];
  for (const [id, spans] of expected) {
    const answer = await fetchTrace(apiBase, id, form);
    if (answer.httpStatus !== 200 || answer.spans.length !== spans) {
      misses.push(`${id}: ${answer.httpStatus}, ${answer.spans.length} of ${spans} spans`);
    }
  }
  return misses;
}
