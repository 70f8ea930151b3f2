import { spanIdHex, traceIdHex } from '../../otlp/otlp-traces-model';
import { canonicalIp } from './zipkin-ip';
import {
  type ZipkinAnnotation,
  ZipkinDecodeError,
  type ZipkinEndpoint,
  type ZipkinSpan,
} from './zipkin-span';

/**
 * Zipkin v2 JSON (`[{"traceId": …}, …]`) decoded by zipkin-go's rules, which the Collector's
 * receiver uses: IDs are hex (a trace ID of up to 32 digits, a span ID of up to 16), times are
 * whole microseconds, tag values are strings, unknown fields are ignored, `null` is as absent,
 * field names match case-insensitively. Anything else throws `ZipkinDecodeError` naming the
 * span and the field.
 */
export function parseZipkinJson(text: string): ZipkinSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ZipkinDecodeError(`invalid Zipkin v2 JSON: ${(err as Error).message}`);
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) {
    throw new ZipkinDecodeError(
      `invalid Zipkin v2 JSON: the body must be a JSON array of spans, got ${describe(parsed)}`,
    );
  }
  const spans: ZipkinSpan[] = [];
  parsed.forEach((raw, i) => {
    // zipkin-go decodes into a list of pointers: a null element is no span at all.
    if (raw !== null) spans.push(readSpan(raw, `span ${i}`));
  });
  return spans;
}

const SPAN_FIELDS = [
  'traceId',
  'id',
  'parentId',
  'name',
  'kind',
  'timestamp',
  'duration',
  'localEndpoint',
  'remoteEndpoint',
  'annotations',
  'tags',
  'debug',
  'shared',
] as const;
const ENDPOINT_FIELDS = ['serviceName', 'ipv4', 'ipv6', 'port'] as const;
const ANNOTATION_FIELDS = ['timestamp', 'value'] as const;

const HEX = /^[0-9a-fA-F]+$/;
const MAX_UINT64 = (1n << 64n) - 1n;

function fail(at: string, what: string, got: unknown): never {
  throw new ZipkinDecodeError(`invalid Zipkin v2 JSON: ${at}: ${what}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The known fields of an object, matched as Go's encoding/json does: exactly, else ignoring case. */
function fieldsOf<F extends string>(
  raw: unknown,
  names: readonly F[],
  at: string,
): Partial<Record<F, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, 'must be a JSON object', raw);
  const byLowerName = new Map(names.map((n) => [n.toLowerCase(), n]));
  const out: Partial<Record<F, unknown>> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = (names as readonly string[]).includes(key) ? (key as F) : byLowerName.get(key.toLowerCase());
    if (name !== undefined && value !== null) out[name] = value;
  }
  return out;
}

/** A hex number of at most 64 bits (Go's `strconv.ParseUint(s, 16, 64)`). */
function hex64(value: unknown, at: string, what: string): bigint {
  if (typeof value !== 'string' || !HEX.test(value)) fail(at, `must be ${what}`, value);
  const n = BigInt(`0x${value}`);
  if (n > MAX_UINT64) fail(at, `must be ${what}`, value);
  return n;
}

function micros(value: unknown, at: string): bigint {
  if (value === undefined) return 0n;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(at, 'must be a whole, non-negative number of microseconds', value);
  }
  return BigInt(value);
}

function text(value: unknown, at: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') fail(at, 'must be a string', value);
  return value;
}

function bool(value: unknown, at: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(at, 'must be true or false', value);
  return value;
}

function readSpan(raw: unknown, at: string): ZipkinSpan {
  const f = fieldsOf(raw, SPAN_FIELDS, at);
  if (f.traceId === undefined || f.traceId === '') fail(at, '"traceId" is required', f.traceId ?? null);
  const traceDigits = 'up to 32 hex digits (the trace ID)';
  const traceText = typeof f.traceId === 'string' ? f.traceId : '';
  if (!HEX.test(traceText)) fail(`${at}: "traceId"`, `must be ${traceDigits}`, f.traceId);
  const split = Math.max(0, traceText.length - 16);
  const high = split > 0 ? hex64(traceText.slice(0, split), `${at}: "traceId"`, traceDigits) : 0n;
  const low = hex64(traceText.slice(split), `${at}: "traceId"`, traceDigits);

  const spanDigits = '1 to 16 hex digits (a span ID)';
  const id = f.id === undefined || f.id === '' ? 0n : hex64(f.id, `${at}: "id"`, spanDigits);
  if (id === 0n) fail(`${at}: "id"`, `is required: ${spanDigits}, not all zeros`, f.id ?? null);
  // An empty parentId is no parent (zipkin-go reads it as 0, which OTLP writes as none).
  const parent =
    f.parentId === undefined || f.parentId === '' ? 0n : hex64(f.parentId, `${at}: "parentId"`, spanDigits);

  const timestamp = micros(f.timestamp, `${at}: "timestamp"`);
  return {
    traceId: traceIdHex(high, low),
    id: spanIdHex(id),
    parentId: parent === 0n ? undefined : spanIdHex(parent),
    name: text(f.name, `${at}: "name"`),
    kind: text(f.kind, `${at}: "kind"`),
    timestampUs: timestamp > 0n ? timestamp : undefined,
    durationUs: micros(f.duration, `${at}: "duration"`),
    localEndpoint: readEndpoint(f.localEndpoint, `${at}: "localEndpoint"`),
    remoteEndpoint: readEndpoint(f.remoteEndpoint, `${at}: "remoteEndpoint"`),
    annotations: readAnnotations(f.annotations, `${at}: "annotations"`),
    tags: readTags(f.tags, `${at}: "tags"`),
    debug: bool(f.debug, `${at}: "debug"`),
    shared: bool(f.shared, `${at}: "shared"`),
  };
}

/** An endpoint with nothing in it is no endpoint, as in zipkin-go. */
function readEndpoint(raw: unknown, at: string): ZipkinEndpoint | undefined {
  if (raw === undefined) return undefined;
  const f = fieldsOf(raw, ENDPOINT_FIELDS, at);
  const address = (value: unknown, key: string): string | undefined => {
    const given = text(value, `${at}.${key}`);
    if (given === '') return undefined;
    return canonicalIp(given) ?? fail(`${at}.${key}`, 'must be an IP address', value);
  };
  const port = f.port ?? 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`${at}.port`, 'must be a port number (0-65535)', port);
  }
  const endpoint: ZipkinEndpoint = {
    serviceName: text(f.serviceName, `${at}.serviceName`),
    ipv4: address(f.ipv4, 'ipv4'),
    ipv6: address(f.ipv6, 'ipv6'),
    port,
  };
  const empty = endpoint.serviceName === '' && port === 0 && !endpoint.ipv4 && !endpoint.ipv6;
  return empty ? undefined : endpoint;
}

function readAnnotations(raw: unknown, at: string): ZipkinAnnotation[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(at, 'must be a JSON array of {"timestamp", "value"}', raw);
  return raw.map((item, i) => {
    const f = fieldsOf(item, ANNOTATION_FIELDS, `${at}[${i}]`);
    const timestampUs = micros(f.timestamp, `${at}[${i}].timestamp`);
    if (timestampUs === 0n)
      fail(`${at}[${i}].timestamp`, 'is required (epoch microseconds)', f.timestamp ?? null);
    return { timestampUs, value: text(f.value, `${at}[${i}].value`) };
  });
}

function readTags(raw: unknown, at: string): Map<string, string> {
  const tags = new Map<string, string>();
  if (raw === undefined) return tags;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(at, 'must be a JSON object of string values', raw);
  }
  for (const [key, value] of Object.entries(raw)) {
    if (value !== null && typeof value !== 'string') {
      fail(`${at}.${JSON.stringify(key)}`, 'must be a string (Zipkin tag values are strings)', value);
    }
    tags.set(key, value ?? '');
  }
  return tags;
}
