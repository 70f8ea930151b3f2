import type { SpanView } from '../otlp/span-visitor';
import { truncateUtf8 } from '../series-model/label-limits';
import { type Labels, sanitizeLabelName } from '../series-model/labels';
import { type FamilySpec, GeneratorRegistry } from './generator-registry';

// Local copies of the OTLP enum values: imported bindings cost a getter call each on this hot path.
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const SPAN_KIND_PRODUCER = 4;
const SPAN_KIND_CONSUMER = 5;
const STATUS_CODE_ERROR = 2;

export const REQUEST_TOTAL = 'traces_service_graph_request_total';
export const REQUEST_FAILED_TOTAL = 'traces_service_graph_request_failed_total';
export const SERVER_SECONDS = 'traces_service_graph_request_server_seconds';
export const CLIENT_SECONDS = 'traces_service_graph_request_client_seconds';

export function serviceGraphFamilies(buckets: number[]): FamilySpec[] {
  return [
    { name: REQUEST_TOTAL, type: 'counter', help: 'Requests between two services.' },
    { name: REQUEST_FAILED_TOTAL, type: 'counter', help: 'Failed requests between two services.' },
    { name: SERVER_SECONDS, type: 'histogram', help: 'Server-side request duration in seconds.', buckets },
    { name: CLIENT_SECONDS, type: 'histogram', help: 'Client-side request duration in seconds.', buckets },
  ];
}

interface Side {
  service: string;
  seconds: number;
  failed: boolean;
  dimensions: string[];
  /** Trace ID and span ID bytes as a latin1 string (cheap to make); hex only for an exemplar. */
  ids: string;
}

const NO_DIMENSIONS: string[] = [];

interface PendingEdge {
  client?: Side;
  server?: Side;
  messaging: boolean;
  /** The server side is a root span: on expiry its caller is the virtual `user` node. */
  serverIsRoot: boolean;
  expiresAtMs: number;
}

/**
 * Tempo's service-graph processor: a CLIENT span and the SERVER span whose parent it is (or a
 * PRODUCER and its CONSUMER) form one request edge `client → server`. Halves wait up to
 * `waitMs` for each other; a root SERVER span left alone is counted as called by `user`.
 */
export class ServiceGraphProcessor {
  private readonly pending = new Map<string, Map<string, PendingEdge>>();
  /** Per dimension, its `client_…` and `server_…` label names (cut to the name limit). */
  private readonly clientLabels: string[];
  private readonly serverLabels: string[];

  constructor(
    private readonly registry: GeneratorRegistry,
    private readonly buckets: number[],
    private readonly waitMs: number,
    private readonly maxItems: number,
    private readonly dimensionIndexes: number[],
    dimensionNames: string[],
    maxLabelNameBytes: number,
    private readonly onEdgeDropped: (tenantId: string) => void,
  ) {
    const labelName = (prefix: string) => (name: string) =>
      truncateUtf8(`${prefix}${sanitizeLabelName(name)}`, maxLabelNameBytes);
    this.clientLabels = dimensionNames.map(labelName('client_'));
    this.serverLabels = dimensionNames.map(labelName('server_'));
  }

  /** One span; `dimensions` are the generator's dimension values for it (`AttributeLookup`). */
  observe(tenantId: string, span: SpanView, dimensions: readonly string[], nowMs: number): void {
    const kind = span.kind;
    const isClient = kind === SPAN_KIND_CLIENT || kind === SPAN_KIND_PRODUCER;
    const isServer = kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER;
    if (!isClient && !isServer) return;
    const root = span.isRoot();
    // Both halves meet under trace ID + the client's span ID (the server's parent).
    const traceKey = span.idLatin1(span.traceIdAt, span.traceIdLength);
    const ownId = span.idLatin1(span.spanIdAt, span.spanIdLength);
    const key = traceKey + (isClient || root ? ownId : span.idLatin1(span.parentAt, span.parentLength));
    let edges = this.pending.get(tenantId);
    if (!edges) {
      edges = new Map();
      this.pending.set(tenantId, edges);
    }
    let edge = edges.get(key);
    if (!edge) {
      if (edges.size >= this.maxItems) {
        this.onEdgeDropped(tenantId);
        return;
      }
      edge = {
        messaging: kind === SPAN_KIND_PRODUCER || kind === SPAN_KIND_CONSUMER,
        serverIsRoot: false,
        expiresAtMs: nowMs + this.waitMs,
      };
      edges.set(key, edge);
    }
    const side: Side = {
      service: span.service,
      seconds: Math.max(0, span.durationNanos) / 1e9,
      failed: span.statusCode === STATUS_CODE_ERROR,
      dimensions:
        this.dimensionIndexes.length === 0 ? NO_DIMENSIONS : this.dimensionIndexes.map((i) => dimensions[i]),
      ids: traceKey + ownId,
    };
    if (isClient) edge.client = side;
    else {
      edge.server = side;
      edge.serverIsRoot = root;
    }
    if (edge.client && edge.server) {
      edges.delete(key);
      this.record(tenantId, edge.client, edge.server, nowMs, edge.messaging ? 'messaging_system' : '');
    }
  }

  /** Drops halves that waited too long; a lone root server span becomes a `user` edge. */
  expire(nowMs: number): void {
    for (const [tenantId, edges] of this.pending) {
      for (const [key, edge] of edges) {
        if (edge.expiresAtMs > nowMs) continue;
        edges.delete(key);
        if (edge.server && edge.serverIsRoot) {
          const user: Side = { ...edge.server, service: 'user', failed: false };
          this.record(tenantId, user, edge.server, nowMs, 'virtual_node');
        }
      }
      if (edges.size === 0) this.pending.delete(tenantId);
    }
  }

  private record(tenantId: string, client: Side, server: Side, nowMs: number, type: string): void {
    let key = `${client.service}\u0001${server.service}\u0001${type}`;
    for (const d of client.dimensions) key += `\u0001${d}`;
    for (const d of server.dimensions) key += `\u0001${d}`;
    const labels = (): Labels => {
      const out: Labels = { client: client.service, server: server.service };
      if (type !== '') out.connection_type = type;
      for (let i = 0; i < this.clientLabels.length; i++) {
        if (client.dimensions[i] !== '') out[this.clientLabels[i]] = client.dimensions[i];
        if (server.dimensions[i] !== '') out[this.serverLabels[i]] = server.dimensions[i];
      }
      return out;
    };
    const total = this.registry.counter(tenantId, REQUEST_TOTAL, key, labels);
    if (total) {
      total.value++;
      total.updatedMs = nowMs;
    }
    if (client.failed || server.failed) {
      const failed = this.registry.counter(tenantId, REQUEST_FAILED_TOTAL, key, labels);
      if (failed) {
        failed.value++;
        failed.updatedMs = nowMs;
      }
    }
    const sides: [string, Side][] = [
      [SERVER_SECONDS, server],
      [CLIENT_SECONDS, client],
    ];
    for (const [family, side] of sides) {
      const h = this.registry.histogram(tenantId, family, key, labels);
      if (!h) continue;
      const bucket = GeneratorRegistry.observe(h, this.buckets, side.seconds);
      if (GeneratorRegistry.wantsExemplar(h, bucket)) {
        const ids = Buffer.from(side.ids, 'latin1');
        GeneratorRegistry.setExemplar(h, bucket, {
          traceId: ids.toString('hex', 0, ids.length - 8),
          spanId: ids.toString('hex', ids.length - 8),
          value: side.seconds,
          timestampMs: nowMs,
        });
      }
      h.updatedMs = nowMs;
    }
  }
}
