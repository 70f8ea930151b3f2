import type { AttributeCursor } from '../otlp/attribute-cursor';
import { readSamplingNote } from '../otlp/sampling-note';
import { forEachSpan, type SpanView } from '../otlp/span-visitor';
import { ANY_VALUE, SPAN, SPAN_EVENT, SPAN_LINK } from '../otlp/trace-fields';
import { ProtoReader } from '../otlp/wire';
import {
  type Attributes,
  type AttributeValue,
  EMPTY_ATTRIBUTES,
  type SearchEvent,
  type SearchLink,
  type SearchSpan,
  type SearchTrace,
  searchTraceOf,
  type TraceSampling,
} from './search-trace';

const STRING = ANY_VALUE.field.string_value;
const BOOL = ANY_VALUE.field.bool_value;
const INT = ANY_VALUE.field.int_value;
const DOUBLE = ANY_VALUE.field.double_value;
const TAG_EVENTS = SPAN.tag.events;
const TAG_LINKS = SPAN.tag.links;
const TAG_EVENT_TIME = SPAN_EVENT.tag.time_unix_nano;
const TAG_EVENT_NAME = SPAN_EVENT.tag.name;
const TAG_EVENT_ATTRIBUTES = SPAN_EVENT.tag.attributes;
const TAG_LINK_TRACE_ID = SPAN_LINK.tag.trace_id;
const TAG_LINK_SPAN_ID = SPAN_LINK.tag.span_id;
const TAG_LINK_ATTRIBUTES = SPAN_LINK.tag.attributes;

/**
 * Reads every attribute the cursor walks. Scalars keep their type; arrays, maps and bytes are
 * not searchable in TraceQL and are left out (Tempo does the same).
 */
function readAttributes(a: AttributeCursor): Attributes {
  let out: Map<string, AttributeValue> | undefined;
  while (a.next()) {
    const type = a.valueType();
    let value: AttributeValue;
    if (type === STRING) value = a.stringValue();
    else if (type === INT) value = Number(a.intValue());
    else if (type === DOUBLE) value = a.doubleValue();
    else if (type === BOOL) value = a.boolValue();
    else continue;
    if (!out) out = new Map();
    out.set(a.key(), value);
  }
  return out ?? EMPTY_ATTRIBUTES;
}

/** Events and links are fields of the span message: walk it once for both. */
function readEventsAndLinks(
  buf: Buffer,
  at: number,
  end: number,
  cursor: AttributeCursor,
): { events: SearchEvent[]; links: SearchLink[] } {
  const events: SearchEvent[] = [];
  const links: SearchLink[] = [];
  const r = new ProtoReader(buf, at);
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== TAG_EVENTS && tag !== TAG_LINKS) {
      r.skip(tag & 7, end);
      continue;
    }
    const msgEnd = r.len(end) + r.pos;
    const msgAt = r.pos;
    if (tag === TAG_EVENTS) {
      let name = '';
      let time = 0n;
      while (r.pos < msgEnd) {
        const t = r.tag(msgEnd);
        if (t === TAG_EVENT_NAME) name = r.string(msgEnd);
        else if (t === TAG_EVENT_TIME) {
          time = buf.readBigUInt64LE(r.pos);
          r.pos += 8;
        } else r.skip(t & 7, msgEnd);
      }
      const attributes = readAttributes(cursor.reset(msgAt, msgEnd, TAG_EVENT_ATTRIBUTES));
      events.push({ name, timeUnixNano: time, attributes });
    } else {
      let traceId = '';
      let spanId = '';
      while (r.pos < msgEnd) {
        const t = r.tag(msgEnd);
        if (t === TAG_LINK_TRACE_ID || t === TAG_LINK_SPAN_ID) {
          const length = r.len(msgEnd);
          const hex = buf.toString('hex', r.pos, r.pos + length);
          if (t === TAG_LINK_TRACE_ID) traceId = hex;
          else spanId = hex;
          r.pos += length;
        } else r.skip(t & 7, msgEnd);
      }
      const attributes = readAttributes(cursor.reset(msgAt, msgEnd, TAG_LINK_ATTRIBUTES));
      links.push({ traceId, spanId, attributes });
    }
    r.pos = msgEnd;
  }
  return { events, links };
}

const NO_EVENTS: readonly SearchEvent[] = [];
const NO_LINKS: readonly SearchLink[] = [];

/**
 * Decodes OTLP TracesData (or ExportTraceServiceRequest) bytes into search spans, appending to
 * `into`. A span ID already in `seen` is skipped: a trace's parts may repeat spans (a retried
 * export, a trace in several blocks), and search counts each span once, as trace by ID does.
 * `onSpan` sees each span kept with the view it was read from (a block that stores spans only
 * in its columns keeps what they do not hold).
 */
export function appendSearchSpans(
  data: Uint8Array,
  into: SearchSpan[],
  seen: Set<string>,
  onSpan?: (view: SpanView, span: SearchSpan) => void,
): void {
  let resourceKey = -1;
  let resource: Attributes = EMPTY_ATTRIBUTES;
  forEachSpan(data, (view) => {
    const spanId = view.idHex(view.spanIdAt, view.spanIdLength);
    if (seen.has(spanId)) return;
    seen.add(spanId);
    if (view.resourceKey !== resourceKey) {
      resourceKey = view.resourceKey;
      resource = readAttributes(view.resourceAttributes());
    }
    const attributes = readAttributes(view.spanAttributes());
    // Most spans have neither events nor links: the span walk above skipped them, so only look
    // again when the message is bigger than its intrinsics and attributes can explain.
    const { events, links } = readEventsAndLinks(view.buf, view.spanAt, view.spanEnd, view.spanAttributes());
    const span: SearchSpan = {
      spanId,
      parentSpanId: view.isRoot() ? '' : view.idHex(view.parentAt, view.parentLength),
      name: view.name,
      serviceName: view.service,
      kind: view.kind,
      statusCode: view.statusCode,
      statusMessage: view.statusMessage,
      startUnixNano: view.startUnixNano(),
      durationNanos: view.durationNanos,
      attributes,
      resource,
      events: events.length > 0 ? events : NO_EVENTS,
      links: links.length > 0 ? links : NO_LINKS,
    };
    into.push(span);
    onSpan?.(view, span);
  });
}

/** One trace's search view from its OTLP parts (oldest first). */
export function searchTraceFromOtlp(traceIdHex: string, parts: readonly Uint8Array[]): SearchTrace {
  const spans: SearchSpan[] = [];
  const seen = new Set<string>();
  let sampling: TraceSampling | undefined;
  for (const part of parts) {
    appendSearchSpans(part, spans, seen);
    sampling ??= readSamplingNote(part);
  }
  return searchTraceOf(traceIdHex, spans, sampling);
}
