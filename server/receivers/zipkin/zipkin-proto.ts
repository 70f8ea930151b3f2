import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { checkDecodeBudget } from '../../otlp/decode-budget';
import { ipToString } from './zipkin-ip';
import { ZipkinDecodeError, type ZipkinEndpoint, type ZipkinSpan } from './zipkin-span';

const PROTO_FILE = fileURLToPath(new URL('./zipkin.proto', import.meta.url));

let listOfSpans: protobuf.Type | undefined;
let spanTypes: ReadonlySet<protobuf.Type> = new Set();

/** `zipkin.proto3.ListOfSpans`, loaded from ./zipkin.proto on first use. */
export function listOfSpansType(): protobuf.Type {
  if (listOfSpans) return listOfSpans;
  const root = protobuf.loadSync(PROTO_FILE);
  root.resolveAll();
  listOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');
  spanTypes = new Set([root.lookupType('zipkin.proto3.Span')]);
  return listOfSpans;
}

/** The decoded message with 64-bit integers as decimal strings and enums by name. */
interface ProtoEndpoint {
  serviceName?: string;
  ipv4?: Uint8Array;
  ipv6?: Uint8Array;
  port?: number;
}

interface ProtoSpan {
  traceId?: Uint8Array;
  parentId?: Uint8Array;
  id?: Uint8Array;
  kind?: string;
  name?: string;
  timestamp?: string;
  duration?: string;
  localEndpoint?: ProtoEndpoint;
  remoteEndpoint?: ProtoEndpoint;
  annotations?: { timestamp?: string; value?: string }[];
  tags?: Record<string, string>;
  debug?: boolean;
  shared?: boolean;
}

/**
 * A Zipkin v2 protobuf body (`ListOfSpans`) decoded as zipkin-go's `zipkin_proto3.ParseSpans`
 * does for the Collector: trace ID of 16 bytes (8 bytes too, left-padded, as zipkin.proto
 * allows), span ID of 8 bytes, parent ID of 8 bytes or none; `debug` comes from the
 * `X-B3-Flags: 1` header, not the body. Throws `ZipkinDecodeError` naming the span and field.
 */
export function parseZipkinProtobuf(body: Uint8Array, debugHeader: boolean): ZipkinSpan[] {
  const type = listOfSpansType();
  let message: { spans?: ProtoSpan[] };
  try {
    // protobufjs makes objects of every message: a body of millions of empty spans is refused first.
    checkDecodeBudget(type, body, { items: spanTypes, itemName: 'spans' });
    message = type.toObject(type.decode(body), { longs: String, enums: String }) as typeof message;
  } catch (err) {
    throw new ZipkinDecodeError(
      `invalid Zipkin v2 protobuf (ListOfSpans): ${(err as Error).message}; send zipkin.proto's ListOfSpans with Content-Type application/x-protobuf, or JSON with application/json`,
    );
  }
  return (message.spans ?? []).map((span, i) => toZipkinSpan(span, `span ${i}`, debugHeader));
}

function fail(at: string, what: string): never {
  throw new ZipkinDecodeError(`invalid Zipkin v2 protobuf: ${at}: ${what}`);
}

function hexOf(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? []).toString('hex');
}

function toZipkinSpan(span: ProtoSpan, at: string, debugHeader: boolean): ZipkinSpan {
  const traceId = span.traceId ?? new Uint8Array();
  if (traceId.length !== 16 && traceId.length !== 8) {
    fail(`${at}: trace_id`, `has ${traceId.length} bytes, wanted 16 (or 8)`);
  }
  const id = span.id ?? new Uint8Array();
  if (id.length !== 8) fail(`${at}: id`, `has ${id.length} bytes, wanted 8 (the span ID is required)`);
  const parent = span.parentId ?? new Uint8Array();
  if (parent.length !== 0 && parent.length !== 8) {
    fail(`${at}: parent_id`, `has ${parent.length} bytes, wanted 8 (or none on a root span)`);
  }
  const parentHex = hexOf(parent);
  return {
    traceId: hexOf(traceId).padStart(32, '0'),
    id: hexOf(id),
    // An all-zero parent is no parent: OTLP has no way to say otherwise.
    parentId: /^0*$/.test(parentHex) ? undefined : parentHex,
    name: span.name ?? '',
    kind: span.kind ?? '',
    timestampUs: BigInt(span.timestamp ?? '0'),
    durationUs: BigInt(span.duration ?? '0'),
    localEndpoint: toEndpoint(span.localEndpoint),
    remoteEndpoint: toEndpoint(span.remoteEndpoint),
    annotations: (span.annotations ?? []).map((a) => ({
      timestampUs: BigInt(a.timestamp ?? '0'),
      value: a.value ?? '',
    })),
    tags: new Map(Object.entries(span.tags ?? {})),
    debug: debugHeader,
    shared: span.shared ?? false,
  };
}

function toEndpoint(endpoint: ProtoEndpoint | undefined): ZipkinEndpoint | undefined {
  if (!endpoint) return undefined;
  const address = (bytes: Uint8Array | undefined) =>
    bytes && bytes.length > 0 ? ipToString(bytes) : undefined;
  return {
    serviceName: endpoint.serviceName ?? '',
    ipv4: address(endpoint.ipv4),
    ipv6: address(endpoint.ipv6),
    // int32 on the wire, uint16 in zipkin-go: the same truncation.
    port: (endpoint.port ?? 0) & 0xffff,
  };
}
