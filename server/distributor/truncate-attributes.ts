import { otlpProtoTypes } from '../otlp/protobuf-root';
import { forEachSpan } from '../otlp/span-visitor';

/**
 * `max_attribute_bytes`: attribute values longer than the limit are cut, with a marker that says
 * so and how long the value was, instead of refusing the span (Tempo's distributor does the same,
 * without the marker). Resource, scope, span, event and link attributes, inside arrays and
 * key-value lists too; strings are cut at a UTF-8 character boundary, bytes values plainly.
 *
 * The common case costs one walk of the spans: only a fragment holding a span or a resource
 * attribute longer than the limit is decoded and re-encoded.
 */
export function truncateLongAttributes(
  data: Uint8Array,
  limit: number,
): { data: Uint8Array; truncated: number } {
  if (limit <= 0 || data.length <= limit || !mayHoldLongValue(data, limit)) return { data, truncated: 0 };
  const { TracesData } = otlpProtoTypes();
  const message = TracesData.decode(data) as unknown as TracesMessage;
  const counter = { truncated: 0 };
  for (const rs of message.resourceSpans ?? []) {
    truncateList(rs.resource?.attributes, limit, counter);
    for (const ss of rs.scopeSpans ?? []) {
      truncateList(ss.scope?.attributes, limit, counter);
      for (const span of ss.spans ?? []) {
        truncateList(span.attributes, limit, counter);
        for (const event of span.events ?? []) truncateList(event.attributes, limit, counter);
        for (const link of span.links ?? []) truncateList(link.attributes, limit, counter);
      }
    }
  }
  if (counter.truncated === 0) return { data, truncated: 0 };
  return { data: TracesData.encode(message as never).finish(), truncated: counter.truncated };
}

/** A span longer than the limit, or a resource attribute value longer than it: worth a decode. */
function mayHoldLongValue(data: Uint8Array, limit: number): boolean {
  let found = false;
  let resourceKey = -1;
  forEachSpan(data, (span) => {
    if (found) return;
    if (span.spanEnd - span.spanAt > limit) found = true;
    if (span.resourceKey === resourceKey) return;
    resourceKey = span.resourceKey;
    for (const a = span.resourceAttributes(); a.next(); ) {
      if (a.valueEnd - a.valueAt > limit) found = true;
    }
  });
  return found;
}

interface KeyValue {
  key: string;
  value?: AnyValue | null;
}
interface AnyValue {
  stringValue?: string | null;
  bytesValue?: Uint8Array | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
}
interface TracesMessage {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] } | null;
    scopeSpans?: {
      scope?: { attributes?: KeyValue[] } | null;
      spans?: {
        attributes?: KeyValue[];
        events?: { attributes?: KeyValue[] }[];
        links?: { attributes?: KeyValue[] }[];
      }[];
    }[];
  }[];
}

function truncateList(list: KeyValue[] | null | undefined, limit: number, counter: { truncated: number }) {
  for (const kv of list ?? []) if (kv.value) truncateValue(kv.value, limit, counter);
}

function truncateValue(value: AnyValue, limit: number, counter: { truncated: number }): void {
  if (typeof value.stringValue === 'string' && value.stringValue.length > 0) {
    const cut = truncateString(value.stringValue, limit);
    if (cut !== value.stringValue) {
      value.stringValue = cut;
      counter.truncated++;
    }
  } else if (value.bytesValue && value.bytesValue.length > limit) {
    value.bytesValue = value.bytesValue.subarray(0, limit);
    counter.truncated++;
  } else if (value.arrayValue?.values) {
    for (const item of value.arrayValue.values) truncateValue(item, limit, counter);
  } else if (value.kvlistValue?.values) {
    truncateList(value.kvlistValue.values, limit, counter);
  }
}

/** `text` cut to at most `limit` UTF-8 bytes, its end replaced by a marker naming the original size. */
export function truncateString(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  const marker = `…[truncated from ${bytes.length} bytes]`;
  const markerBytes = Buffer.byteLength(marker);
  let keep = limit > markerBytes ? limit - markerBytes : limit;
  // Back off to the start of a character: a cut inside one would leave invalid UTF-8.
  while (keep > 0 && (bytes[keep] & 0xc0) === 0x80) keep--;
  const head = bytes.toString('utf8', 0, keep);
  return limit > markerBytes ? head + marker : head;
}
