import {
  AttributeMap,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpLink,
  type OtlpValue,
} from '../../otlp/otlp-traces-model';
import { TAG } from './zipkin-conventions';
import { type ZipkinAnnotation, ZipkinDecodeError } from './zipkin-span';

/**
 * The pipe-separated forms in which the Collector's Zipkin exporter writes what Zipkin has no
 * field for, read back as its translator does:
 * - an annotation `name|{json attributes}|dropped count` becomes an event with attributes (an
 *   annotation with fewer than three parts is an event named by the whole first part);
 * - tags `otlp.link.0`, `otlp.link.1`, … (up to 127, stopping at the first missing) holding
 *   `traceId|spanId|traceState|{json attributes}|dropped count` become links (fewer than five
 *   parts: the tag is dropped).
 * Like the Collector, a form that has the parts but does not parse refuses the whole request.
 */

const MAX_LINKS = 128;
const MAX_UINT32 = 4_294_967_295;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export function parseAnnotation(annotation: ZipkinAnnotation, at: string): OtlpEvent {
  const parts = annotation.value.split('|');
  const event: OtlpEvent = {
    timeUnixNano: annotation.timestampUs * 1000n,
    name: parts[0],
    attributes: [],
    droppedAttributesCount: 0,
  };
  if (parts.length < 3) return event;
  const what = `value ${JSON.stringify(annotation.value)} has the form name|{attributes}|dropped count, but`;
  event.attributes = jsonAttributes(parts.slice(1, -1).join('|'), `${at}: ${what}`);
  event.droppedAttributesCount = droppedCount(parts[parts.length - 1], `${at}: ${what}`);
  return event;
}

/** Reads and removes the `otlp.link.N` tags. */
export function parseLinkTags(tags: Map<string, string>, at: string): OtlpLink[] {
  const links: OtlpLink[] = [];
  for (let i = 0; i < MAX_LINKS; i++) {
    const key = `${TAG.linkPrefix}${i}`;
    const value = tags.get(key);
    if (value === undefined) break;
    tags.delete(key);
    const parts = value.split('|');
    if (parts.length < 5) continue;
    const where = `${at}: tag "${key}" (traceId|spanId|traceState|{attributes}|dropped count)`;
    links.push({
      traceId: hexId(parts[0], 16, `${where}: trace ID`),
      spanId: hexId(parts[1], 8, `${where}: span ID`),
      traceState: parts[2],
      attributes: jsonAttributes(parts.slice(3, -1).join('|'), where),
      droppedAttributesCount: droppedCount(parts[parts.length - 1], where),
    });
  }
  return links;
}

/** Hex of exactly `bytes` bytes, possibly in double quotes; empty is the zero ID. */
function hexId(text: string, bytes: number, at: string): string {
  const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  if (unquoted === '') return '';
  if (unquoted.length !== 2 * bytes || !/^[0-9a-fA-F]+$/.test(unquoted)) {
    throw new ZipkinDecodeError(`${at}: ${JSON.stringify(unquoted)} is not ${2 * bytes} hex digits`);
  }
  return unquoted.toLowerCase();
}

/**
 * A JSON object's strings, numbers (whole ones as int64) and booleans as attributes; other values
 * (objects, arrays, null) are left out, as the Collector does.
 */
function jsonAttributes(json: string, at: string): OtlpKeyValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ZipkinDecodeError(`${at} ${JSON.stringify(json)} is not a JSON object`);
  }
  const attributes = new AttributeMap();
  if (parsed === null) return attributes.entries;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ZipkinDecodeError(`${at} ${JSON.stringify(json)} is not a JSON object`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    const typed = jsonValue(value);
    if (typed) attributes.put(key, typed);
  }
  return attributes.entries;
}

function jsonValue(value: unknown): OtlpValue | undefined {
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value !== 'number') return undefined;
  if (!Number.isInteger(value)) return { double: value };
  return { int: saturatedInt64(BigInt(value)) };
}

/** An integer clamped to the int64 range (where the Collector saturates rather than refuses). */
export function saturatedInt64(n: bigint): bigint {
  return n < INT64_MIN ? INT64_MIN : n > INT64_MAX ? INT64_MAX : n;
}

function droppedCount(text: string, at: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n <= MAX_UINT32)) {
    throw new ZipkinDecodeError(`${at} the dropped count ${JSON.stringify(text)} is not a whole number`);
  }
  return n;
}
