import { Rng as FixtureRng } from '../fixtures/synthetic-traces';
import { ProtoWriter } from '../server/otlp/proto-writer';

/**
 * The search benchmark's traffic: deterministic OTLP trace exports built fast enough that the
 * load generator is never the bottleneck. A few hundred trace *shapes* (span trees with their
 * services, names, attributes, errors and relative timings) are encoded once, with placeholders;
 * each trace is one shape copied into its request and patched in place: trace and span IDs,
 * timestamps, a distinct `customer_id` on the root, and fresh random tokens wherever a real trace
 * has high-cardinality values (URLs, user IDs, statement parameters), so neither the blocks'
 * compression nor the sidecar's dictionaries see repeated values that real traffic would not have.
 *
 * Everything about trace `i` (ID, customer, shape) is a pure function of the seed and `i`, so the
 * bench process knows what each query must answer without hearing from the load generator.
 */

export interface SearchDataOptions {
  traces: number;
  spansPerTrace: number;
  seed: number;
  /** Start of trace 0, unix ms. */
  startMs: number;
  /** How many traces the rare query picks (measured runs plus warm-ups). */
  chosen: number;
}

/** Traces start this far apart (plus up to 80% of it as jitter), so trace index order is time order. */
export const TRACE_SPACING_US = 1_000;
/** The service most traces call (the common query's service). */
export const COMMON_SERVICE = 'auth';
/** The chosen customers' root spans last this long (every other root is at most 900 ms). */
const CHOSEN_ROOT_US = 1_300_000;
const SHAPES = 512;
const SPANS_PER_REQUEST = 100;
const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.24.0';
const STATUS_ERROR = 2;
const HTTP_SERVER = { kind: 2, scope: 0 };
const HTTP_CLIENT = { kind: 3, scope: 0 };
const DB_CLIENT = { kind: 3, scope: 1 };
const INTERNAL = { kind: 1, scope: 2 };
const SCOPES = 3;

const CATALOG = [
  ['frontend', 'nodejs', 'postgresql', 'shop'],
  ['auth', 'go', 'redis', 'sessions'],
  ['checkout', 'go', 'postgresql', 'orders'],
  ['cart', 'dotnet', 'redis', 'carts'],
  ['payment', 'java', 'postgresql', 'payments'],
  ['inventory', 'python', 'mysql', 'stock'],
  ['shipping', 'rust', 'mongodb', 'shipments'],
  ['recommendation', 'python', 'postgresql', 'catalog'],
] as const;
const AUTH = 1;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUS_CODES = [200, 200, 200, 200, 201, 204, 304, 404];
const INTERNAL_NAMES = ['render', 'validate request', 'serialize response', 'apply pricing', 'load flags'];
const EXCEPTIONS = [
  ['TimeoutError', 'upstream request timed out after 3000ms'],
  ['ConnectionResetError', 'connection reset by peer'],
  ['ValueError', 'invalid literal for int() with base 10'],
];

// Placeholders in the encoded shapes, found again by `indexOf` and overwritten per trace.
const TOKEN = '~~~~~~~~~~'; // 10 random letters/digits
const DIGITS = '^^^^^^^'; // 7 random digits
const CUSTOMER = '@@@@@@@'; // the trace's customer number, 7 digits
const ALNUM = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');

/** The fixtures' generator, with the random text the placeholders take. */
class Rng extends FixtureRng {
  override token(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(ALNUM[this.uint32() % 36]);
    return s;
  }
}

/** A 32-bit mix of the seed and a trace index (distinct indices give distinct states). */
function traceSeed(seed: number, i: number): number {
  return (Math.imul(i, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) >>> 0;
}

type AttributeValue = string | number | boolean;

function attribute(w: ProtoWriter, field: number, key: string, value: AttributeValue): void {
  w.openMessage(field).stringField(1, key).openMessage(2);
  if (typeof value === 'string') w.stringField(1, value);
  else if (typeof value === 'boolean') w.varintField(2, value ? 1 : 0);
  else if (Number.isInteger(value)) w.varintField(3, value);
  else w.doubleField(4, value);
  w.closeMessage().closeMessage();
}

interface Service {
  name: string;
  database: string;
  dbName: string;
  /** `ResourceSpans.resource` as an encoded field. */
  resource: Buffer;
  /** `ScopeSpans.scope` as encoded fields: http, db and application scopes. */
  scopes: Buffer[];
  stackTrace: string;
}

function buildService(index: number, rng: Rng): Service {
  const [name, language, database, dbName] = CATALOG[index];
  const w = new ProtoWriter().openMessage(1);
  for (const [key, value] of [
    ['service.name', name],
    ['service.namespace', 'shop'],
    ['service.version', `1.${rng.int(0, 20)}.${rng.int(0, 9)}`],
    ['deployment.environment', 'production'],
    ['host.name', `${name}-7d9f8b6c5-${rng.token(5).toLowerCase()}`],
    ['telemetry.sdk.name', 'opentelemetry'],
    ['telemetry.sdk.language', language],
    ['telemetry.sdk.version', '1.26.0'],
    ['process.pid', rng.int(100, 60000)],
  ] as [string, AttributeValue][])
    attribute(w, 1, key, value);
  const resource = w.closeMessage().finish();
  const scopes = ['http', database, 'manual'].map((kind) => {
    w.reset().openMessage(1).stringField(1, `io.opentelemetry.${language}.${kind}`).stringField(2, '2.4.0');
    return w.closeMessage().finish();
  });
  let stackTrace = `Error: ${name} failed`;
  while (stackTrace.length < 600) {
    const file = `/app/src/${name}/${rng.token(6).toLowerCase()}.ts:${rng.int(10, 900)}:${rng.int(3, 40)}`;
    stackTrace += `\n    at ${rng.pick(['handle', 'process', 'execute'])}${rng.token(4)} (${file})`;
  }
  return { name, database, dbName, resource, scopes, stackTrace: stackTrace.slice(0, 600) };
}

type SpanType = 'server' | 'client' | 'db' | 'internal';

/** A span of a shape before encoding. */
interface ShapeNode {
  type: SpanType;
  service: number;
  parent: number;
  startUs: number;
  endUs: number;
  /** For a client span: the service it calls. */
  callee?: number;
  failed: boolean;
}

/** A span of a shape, encoded with placeholders, and where to patch it. */
interface ShapeSpan {
  bucket: number;
  bytes: Buffer;
  parent: number;
  startUs: number;
  endUs: number;
  /** Byte offsets of the start and end fixed64s. */
  startAt: number;
  endAt: number;
  tokens: number[];
  digits: number[];
  customerAt: number;
  /** Byte offset of the exception event's time, or -1. */
  eventAt: number;
}

interface Shape {
  spans: ShapeSpan[];
  callsCommonService: boolean;
  errorSpans: number;
}

function unixNanoPlaceholder(w: ProtoWriter, field: number): number {
  w.tag(field, 1);
  const at = w.length;
  w.fixed64(0, 0);
  return at;
}

/** Offsets of every occurrence of `marker` in `bytes`. */
function offsetsOf(bytes: Buffer, marker: string): number[] {
  const out: number[] = [];
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + marker.length)) out.push(at);
  return out;
}

function dbStatement(service: Service): string {
  const t = service.dbName;
  if (service.database === 'redis')
    return `HMGET ${t}:${DIGITS}:${TOKEN} items total currency updated_at owner_id`;
  if (service.database === 'mongodb') {
    return `{"find":"${t}","filter":{"customer_id":${DIGITS},"status":{"$in":["pending","packed"]}},"limit":20}`;
  }
  return `SELECT id, customer_id, status, total_cents, currency FROM ${t} WHERE customer_id = ${DIGITS} LIMIT 50`;
}

/** The tree of one shape: a frontend request, usually an auth call, then calls, queries and local work. */
function shapeNodes(spans: number, rng: Rng): ShapeNode[] {
  const root: ShapeNode = {
    type: 'server',
    service: 0,
    parent: -1,
    startUs: 0,
    endUs: rng.int(20_000, 900_000),
    failed: false,
  };
  const nodes = [root];
  const servers = [0];
  const call = (parent: number, callee: number) => {
    const p = nodes[parent];
    const start = p.startUs + Math.floor((p.endUs - p.startUs) * (0.02 + rng.next() * 0.4));
    const end = start + Math.max(100, Math.floor((p.endUs - start) * (0.1 + rng.next() * 0.7)));
    nodes.push({
      type: 'client',
      service: p.service,
      parent,
      startUs: start,
      endUs: end,
      callee,
      failed: false,
    });
    const delay = Math.min(2000, Math.floor((end - start) / 10));
    nodes.push({
      type: 'server',
      service: callee,
      parent: nodes.length - 1,
      startUs: start + delay,
      endUs: end - delay,
      failed: false,
    });
    servers.push(nodes.length - 1);
  };
  if (spans >= 3 && rng.next() < 0.9) call(0, AUTH);
  while (nodes.length < spans) {
    const parent = rng.pick(servers);
    const p = nodes[parent];
    const roll = rng.next();
    if (roll < 0.4 && spans - nodes.length >= 2) {
      call(parent, (p.service + rng.int(1, CATALOG.length - 1)) % CATALOG.length);
      continue;
    }
    const start = p.startUs + Math.floor((p.endUs - p.startUs) * (0.05 + rng.next() * 0.5));
    const end = start + Math.max(50, Math.floor((p.endUs - start) * (0.1 + rng.next() * 0.7)));
    nodes.push({
      type: roll < 0.75 ? 'db' : 'internal',
      service: p.service,
      parent,
      startUs: start,
      endUs: end,
      failed: false,
    });
  }
  return nodes;
}

function encodeShape(nodes: ShapeNode[], services: Service[], rng: Rng): ShapeSpan[] {
  const w = new ProtoWriter(4096);
  return nodes.map((node) => {
    const service = services[node.service];
    const type =
      node.type === 'server'
        ? HTTP_SERVER
        : node.type === 'client'
          ? HTTP_CLIENT
          : node.type === 'db'
            ? DB_CLIENT
            : INTERNAL;
    const attributes: [string, AttributeValue][] = [];
    let name: string;
    if (node.type === 'server') {
      const method = rng.pick(METHODS);
      const route = `/api/${service.dbName}/{id}`;
      name = `${method} ${route}`;
      attributes.push(
        ['http.method', method],
        ['http.route', route],
        ['http.status_code', node.failed ? 500 : rng.pick(STATUS_CODES)],
        ['url.full', `https://shop.example.com/api/${service.dbName}/${TOKEN}?currency=EUR`],
        ['user.id', `user-${DIGITS}`],
      );
      if (node.parent === -1) attributes.push(['customer_id', `cust-${CUSTOMER}`]);
    } else if (node.type === 'client') {
      const callee = services[node.callee!];
      const method = rng.pick(METHODS);
      name = method;
      attributes.push(
        ['http.method', method],
        ['url.full', `http://${callee.name}:8080/api/${callee.dbName}/${TOKEN}`],
        ['http.status_code', node.failed ? 503 : 200],
        ['peer.service', callee.name],
      );
    } else if (node.type === 'db') {
      const statement = dbStatement(service);
      name = `${statement.split(' ')[0].replace(/^\{.*/, 'find')} ${service.dbName}`;
      attributes.push(
        ['db.system', service.database],
        ['db.name', service.dbName],
        ['db.statement', statement],
        ['net.peer.name', `${service.database}.${service.dbName}.internal`],
      );
    } else {
      name = rng.pick(INTERNAL_NAMES);
      attributes.push(
        ['app.items', rng.int(0, 40)],
        ['app.cache_hit', rng.next() < 0.7],
        ['app.discount', Math.round(rng.next() * 1000) / 100 + 0.005],
      );
    }
    w.reset();
    // Trace ID at bytes 2..18, span ID at 20..28, parent span ID at 30..38: patched per trace.
    w.bytesField(1, Buffer.alloc(16)).bytesField(2, Buffer.alloc(8));
    if (node.parent >= 0) w.bytesField(4, Buffer.alloc(8));
    w.stringField(5, name).varintField(6, type.kind);
    const startAt = unixNanoPlaceholder(w, 7);
    const endAt = unixNanoPlaceholder(w, 8);
    for (const [key, value] of attributes) attribute(w, 9, key, value);
    if (node.failed) {
      const [errorType, message] = rng.pick(EXCEPTIONS);
      w.openMessage(11);
      w.tag(1, 1).fixed64(0, 0); // the event time, patched to the span's end (found again below)
      w.stringField(2, 'exception');
      attribute(w, 3, 'exception.type', errorType);
      attribute(w, 3, 'exception.message', message);
      attribute(w, 3, 'exception.stacktrace', service.stackTrace);
      w.closeMessage();
    }
    w.openMessage(15);
    if (node.failed) w.stringField(2, 'request failed').varintField(3, STATUS_ERROR);
    w.closeMessage().fixed32Field(16, 0x101);
    const bytes = w.finish();
    // The event's length prefix may have moved its body: find its zeroed time after the span's end.
    const eventTime = node.failed
      ? bytes.indexOf(Buffer.from([0x09, 0, 0, 0, 0, 0, 0, 0, 0]), endAt + 8)
      : -1;
    return {
      bucket: node.service * SCOPES + type.scope,
      bytes,
      parent: node.parent,
      startUs: node.startUs,
      endUs: node.endUs,
      startAt,
      endAt,
      tokens: offsetsOf(bytes, TOKEN),
      digits: offsetsOf(bytes, DIGITS),
      customerAt: offsetsOf(bytes, CUSTOMER)[0] ?? -1,
      eventAt: eventTime >= 0 ? eventTime + 1 : -1,
    };
  });
}

/** Writes `us` microseconds (+ `fraction` ns) as a fixed64 of unix nanoseconds, exactly. */
function writeUnixNano(buf: Buffer, at: number, us: number, fraction: number): void {
  const usHi = Math.floor(us / 4294967296);
  const low = (us - usHi * 4294967296) * 1000 + fraction; // < 2^42, exact
  const carry = Math.floor(low / 4294967296);
  buf.writeUInt32LE(low - carry * 4294967296, at);
  buf.writeUInt32LE(usHi * 1000 + carry, at + 4);
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

export interface TraceFacts {
  traceId: string;
  customerId: string;
  callsCommonService: boolean;
  errorSpans: number;
}

export class SearchData {
  readonly requests: number;
  readonly tracesPerRequest: number;
  /** Trace indices of the rare query's customers, spread evenly over the data, oldest first. */
  readonly chosen: number[];
  private readonly chosenSet: Set<number>;
  private readonly services: Service[];
  private readonly shapes: Shape[];
  private readonly schemaUrl: Buffer;

  constructor(private readonly opts: SearchDataOptions) {
    const rng = new Rng(opts.seed);
    this.services = CATALOG.map((_, i) => buildService(i, rng));
    this.tracesPerRequest = Math.max(1, Math.round(SPANS_PER_REQUEST / opts.spansPerTrace));
    this.requests = Math.ceil(opts.traces / this.tracesPerRequest);
    // 2% of shapes fail with 3-5 error spans, 1% with 1-2: 3% of traces have errors.
    const heavy = Math.round(SHAPES * 0.02);
    const light = Math.round(SHAPES * 0.01);
    this.shapes = Array.from({ length: SHAPES }, (_, s) => {
      const nodes = shapeNodes(opts.spansPerTrace, rng);
      const failures =
        s < heavy
          ? Math.min(nodes.length, rng.int(3, 5))
          : s < heavy + light
            ? Math.min(nodes.length, rng.int(1, 2))
            : 0;
      const order = nodes.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const i of order.slice(0, failures)) nodes[i].failed = true;
      return {
        spans: encodeShape(nodes, this.services, rng),
        callsCommonService: nodes.some((n) => n.service === AUTH),
        errorSpans: failures,
      };
    });
    const w = new ProtoWriter();
    this.schemaUrl = Buffer.from(w.stringField(3, SCHEMA_URL).finish());
    this.chosen = Array.from({ length: Math.min(opts.chosen, opts.traces) }, (_, k) => {
      const slot = opts.traces / Math.min(opts.chosen, opts.traces);
      return Math.min(opts.traces - 1, Math.floor(k * slot + rng.next() * slot));
    });
    this.chosenSet = new Set(this.chosen);
  }

  private shapeOf(i: number): Shape {
    return this.shapes[traceSeed(this.opts.seed + 1, i) % SHAPES];
  }

  traceIdOf(i: number): Buffer {
    const rng = new Rng(traceSeed(this.opts.seed, i));
    const id = Buffer.allocUnsafe(16);
    for (let k = 0; k < 16; k += 4) id.writeUInt32LE(rng.uint32(), k);
    return id;
  }

  /** Distinct for every trace index below 10^7 (an affine bijection of 0..10^7-1). */
  customerNumber(i: number): number {
    return (i * 7_368_787 + 1_234_567) % 10_000_000;
  }

  facts(i: number): TraceFacts {
    const shape = this.shapeOf(i);
    return {
      traceId: this.traceIdOf(i).toString('hex'),
      customerId: `cust-${String(this.customerNumber(i)).padStart(7, '0')}`,
      callsCommonService: shape.callsCommonService,
      errorSpans: shape.errorSpans,
    };
  }

  /** Start of trace `i`, unix µs. */
  traceStartUs(i: number): number {
    const jitter = traceSeed(this.opts.seed + 2, i) % Math.floor(TRACE_SPACING_US * 0.8);
    return this.opts.startMs * 1000 + i * TRACE_SPACING_US + jitter;
  }

  /** Request `r`: traces [r·k, r·k + k) as one ExportTraceServiceRequest, grouped by service and scope. */
  request(r: number): { body: Buffer; spans: number } {
    const first = r * this.tracesPerRequest;
    const last = Math.min(this.opts.traces, first + this.tracesPerRequest);
    const buckets: { trace: number; span: number }[][] = Array.from(
      { length: CATALOG.length * SCOPES },
      () => [],
    );
    let spans = 0;
    for (let t = first; t < last; t++) {
      const shape = this.shapeOf(t);
      for (let s = 0; s < shape.spans.length; s++) buckets[shape.spans[s].bucket].push({ trace: t, span: s });
      spans += shape.spans.length;
    }
    // Sizes first, so every length prefix is written once, in place.
    const scopeSizes = new Array<number>(buckets.length).fill(0);
    const serviceSizes = new Array<number>(CATALOG.length).fill(0);
    let total = 0;
    for (let b = 0; b < buckets.length; b++) {
      if (buckets[b].length === 0) continue;
      let size = this.services[Math.floor(b / SCOPES)].scopes[b % SCOPES].length;
      for (const { trace, span } of buckets[b]) {
        const n = this.shapeOf(trace).spans[span].bytes.length;
        size += 1 + varintSize(n) + n;
      }
      scopeSizes[b] = size;
      serviceSizes[Math.floor(b / SCOPES)] += 1 + varintSize(size) + size;
    }
    for (let s = 0; s < CATALOG.length; s++) {
      if (serviceSizes[s] === 0) continue;
      serviceSizes[s] += this.services[s].resource.length + this.schemaUrl.length;
      total += 1 + varintSize(serviceSizes[s]) + serviceSizes[s];
    }
    const buf = Buffer.allocUnsafe(total);
    let at = 0;
    // Per-trace IDs, drawn as each trace is first met.
    const ids = new Map<number, { rng: Rng; spanIds: Buffer; traceId: Buffer; startUs: number }>();
    const idsOf = (t: number) => {
      let entry = ids.get(t);
      if (!entry) {
        const rng = new Rng(traceSeed(this.opts.seed, t));
        const traceId = Buffer.allocUnsafe(16);
        for (let k = 0; k < 16; k += 4) traceId.writeUInt32LE(rng.uint32(), k);
        const count = this.shapeOf(t).spans.length;
        const spanIds = Buffer.allocUnsafe(count * 8);
        for (let k = 0; k < count * 8; k += 4) spanIds.writeUInt32LE(rng.uint32(), k);
        entry = { rng, spanIds, traceId, startUs: this.traceStartUs(t) };
        ids.set(t, entry);
      }
      return entry;
    };
    for (let s = 0; s < CATALOG.length; s++) {
      if (serviceSizes[s] === 0) continue;
      buf[at++] = 0x0a; // ResourceSpans, field 1
      at = writeVarint(buf, at, serviceSizes[s]);
      at += this.services[s].resource.copy(buf, at);
      for (let scope = 0; scope < SCOPES; scope++) {
        const b = s * SCOPES + scope;
        if (scopeSizes[b] === 0) continue;
        buf[at++] = 0x12; // ScopeSpans, field 2
        at = writeVarint(buf, at, scopeSizes[b]);
        at += this.services[s].scopes[scope].copy(buf, at);
        for (const { trace, span } of buckets[b]) {
          const template = this.shapeOf(trace).spans[span];
          buf[at++] = 0x12; // Span, field 2
          at = writeVarint(buf, at, template.bytes.length);
          this.patchSpan(buf, at, template, span, trace, idsOf(trace));
          at += template.bytes.length;
        }
      }
      at += this.schemaUrl.copy(buf, at);
    }
    if (at !== total) throw new Error(`request ${r}: wrote ${at} of ${total} bytes`);
    return { body: buf, spans };
  }

  private patchSpan(
    buf: Buffer,
    at: number,
    template: ShapeSpan,
    span: number,
    trace: number,
    ids: { rng: Rng; spanIds: Buffer; traceId: Buffer; startUs: number },
  ): void {
    template.bytes.copy(buf, at);
    ids.traceId.copy(buf, at + 2);
    ids.spanIds.copy(buf, at + 20, span * 8, span * 8 + 8);
    if (template.parent >= 0) ids.spanIds.copy(buf, at + 30, template.parent * 8, template.parent * 8 + 8);
    const { rng } = ids;
    const endUs = template.parent === -1 && this.chosenSet.has(trace) ? CHOSEN_ROOT_US : template.endUs;
    writeUnixNano(buf, at + template.startAt, ids.startUs + template.startUs, rng.uint32() % 1000);
    writeUnixNano(buf, at + template.endAt, ids.startUs + endUs, rng.uint32() % 1000);
    if (template.eventAt >= 0) writeUnixNano(buf, at + template.eventAt, ids.startUs + endUs - 1, 0);
    for (const offset of template.tokens) {
      for (let k = 0; k < TOKEN.length; k++) buf[at + offset + k] = ALNUM[rng.uint32() % 36];
    }
    for (const offset of template.digits) {
      for (let k = 0; k < DIGITS.length; k++) buf[at + offset + k] = 48 + (rng.uint32() % 10);
    }
    if (template.customerAt >= 0) {
      let n = this.customerNumber(trace);
      for (let k = CUSTOMER.length - 1; k >= 0; k--) {
        buf[at + template.customerAt + k] = 48 + (n % 10);
        n = Math.floor(n / 10);
      }
    }
  }
}
