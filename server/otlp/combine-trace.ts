import { type Header, HeaderList } from './header-index';
import { SAMPLING_NOTE_FIELD } from './sampling-note';
import { RESOURCE_SPANS, SCOPE_SPANS, SPAN, TRACES_DATA } from './trace-fields';
import { lenFieldSize, ProtoReader, writeVarint } from './wire';

export interface CombinedTrace {
  /** One TracesData encoding of the merged parts. */
  data: Buffer;
  spanCount: number;
  /** Spans were left out because the result would have passed `maxBytes`. */
  truncated: boolean;
  /** Earliest span start of the kept spans, unix ms (0 when none). */
  startMs: number;
  /** Latest span end of the kept spans, unix ms (0 when none). */
  endMs: number;
}

// The tags read and written, as local constants (see trace-fields.ts). All take one byte.
const TAG_RESOURCE_SPANS = TRACES_DATA.tag.resource_spans;
const TAG_SCOPE_SPANS = RESOURCE_SPANS.tag.scope_spans;
const TAG_SPAN = SCOPE_SPANS.tag.spans;
const TAG_SPAN_ID = SPAN.tag.span_id;
const TAG_START_TIME = SPAN.tag.start_time_unix_nano;
const TAG_END_TIME = SPAN.tag.end_time_unix_nano;
const TAG_SAMPLING_NOTE = SAMPLING_NOTE_FIELD * 8 + 2;

/** A kept ScopeSpans: its header and its spans, which may come from different parts. */
interface KeptScope {
  header: Header;
  /** The buffer each span is in, parallel to the pairs of `spanRanges`. */
  spanSrcs: Buffer[];
  /** Span [start, end) pairs. */
  spanRanges: number[];
  bodyLength: number;
}
/** A kept ResourceSpans: its header and its scopes, one per distinct scope header. */
interface KeptResource {
  header: Header;
  scopes: HeaderList<KeptScope>;
  bodyLength: number;
}

/**
 * Merges TracesData encodings of one trace (oldest first) at the byte level: a span whose
 * span_id was already seen is dropped (the first copy wins); ResourceSpans whose fields other
 * than scope_spans (resource, schema_url) are byte-identical become one, as do ScopeSpans of
 * one resource whose scope and schema_url are, so a service's resource is stored once however
 * many requests its spans came in; resources and scopes come in order of first appearance,
 * spans in arrival order, and those left without spans are dropped. Once the next span would
 * take the result past `maxBytes` (when > 0) nothing more is added and `truncated` is set.
 * The first sampling note (`sampling-note.ts`: which policy kept the trace) is kept, at the end.
 * Runs per query and per block build, so spans are never decoded beyond their ID and times.
 */
export function combineTraceParts(parts: Uint8Array[], maxBytes: number): CombinedTrace {
  const limit = maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  const resources = new HeaderList<KeptResource>();
  let total = 0; // exact size of the output so far
  let spanCount = 0;
  let truncated = false;
  let startNs = Number.POSITIVE_INFINITY;
  let endNs = 0;
  let note: Buffer | undefined;

  merging: for (const part of parts) {
    const r = new ProtoReader(part);
    const src = r.buf;
    const end = src.length;
    while (r.pos < end) {
      const fieldStart = r.pos;
      const tag = r.tag(end);
      if (tag !== TAG_RESOURCE_SPANS) {
        r.skip(tag & 7, end);
        if (tag === TAG_SAMPLING_NOTE && note === undefined) note = src.subarray(fieldStart, r.pos);
        continue;
      }
      const rsLength = r.len(end);
      const resource = splitContainer(r, r.pos + rsLength, TAG_SCOPE_SPANS);
      let keptResource = resources.find(resource);
      for (let i = 0; i < resource.children.length; i += 2) {
        const scope = splitContainer(
          new ProtoReader(src, resource.children[i]),
          resource.children[i + 1],
          TAG_SPAN,
        );
        let keptScope = keptResource?.scopes.find(scope);
        for (let j = 0; j < scope.children.length; j += 2) {
          const spanStart = scope.children[j];
          const spanEnd = scope.children[j + 1];
          const span = readSpanKey(new ProtoReader(src, spanStart), spanEnd);
          if (seen.has(span.id)) continue;
          // The span's field, plus the growth of the length prefixes around it.
          const ssBody = keptScope ? keptScope.bodyLength : scope.length;
          const nextSs = ssBody + lenFieldSize(spanEnd - spanStart);
          const rsBody = keptResource ? keptResource.bodyLength : resource.length;
          const nextRs = rsBody - (keptScope ? lenFieldSize(ssBody) : 0) + lenFieldSize(nextSs);
          const nextTotal = total - (keptResource ? lenFieldSize(rsBody) : 0) + lenFieldSize(nextRs);
          if (nextTotal > limit) {
            truncated = true;
            break merging;
          }
          seen.add(span.id);
          if (!keptResource) {
            keptResource = { header: resource, scopes: new HeaderList(), bodyLength: 0 };
            resources.add(keptResource);
          }
          if (!keptScope) {
            keptScope = { header: scope, spanSrcs: [], spanRanges: [], bodyLength: 0 };
            keptResource.scopes.add(keptScope);
          }
          keptScope.spanSrcs.push(src);
          keptScope.spanRanges.push(spanStart, spanEnd);
          keptScope.bodyLength = nextSs;
          keptResource.bodyLength = nextRs;
          total = nextTotal;
          spanCount++;
          if (span.startNs < startNs) startNs = span.startNs;
          if (span.endNs > endNs) endNs = span.endNs;
        }
      }
    }
  }
  return {
    data: writeResources(resources.items, total, note),
    spanCount,
    truncated,
    startMs: spanCount > 0 ? startNs / 1e6 : 0,
    endMs: spanCount > 0 ? endNs / 1e6 : 0,
  };
}

/**
 * Reads a message's fields, separating the nested list (`listTag`, as `children`) from the
 * rest (the header).
 */
function splitContainer(r: ProtoReader, end: number, listTag: number): Header & { children: number[] } {
  const ranges: number[] = [];
  const children: number[] = [];
  let length = 0;
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.tag(end);
    if (tag === listTag) {
      const listLength = r.len(end);
      children.push(r.pos, r.pos + listLength);
      r.pos += listLength;
      continue;
    }
    r.skip(tag & 7, end);
    length += r.pos - fieldStart;
    if (ranges.length > 0 && ranges[ranges.length - 1] === fieldStart) ranges[ranges.length - 1] = r.pos;
    else ranges.push(fieldStart, r.pos);
  }
  return { src: r.buf, ranges, length, children };
}

function readSpanKey(r: ProtoReader, end: number): { id: string; startNs: number; endNs: number } {
  let id = '';
  let startNs = 0;
  let endNs = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === TAG_SPAN_ID) {
      const length = r.len(end);
      id = r.buf.toString('latin1', r.pos, r.pos + length);
      r.pos += length;
    } else if (tag === TAG_START_TIME) startNs = r.fixed64(end);
    else if (tag === TAG_END_TIME) endNs = r.fixed64(end);
    else r.skip(tag & 7, end);
  }
  return { id, startNs, endNs };
}

function writeResources(resources: KeptResource[], spansTotal: number, note: Buffer | undefined): Buffer {
  const total = spansTotal + (note?.length ?? 0);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const copyHeader = ({ src, ranges }: Header) => {
    for (let i = 0; i < ranges.length; i += 2) pos += src.copy(out, pos, ranges[i], ranges[i + 1]);
  };
  for (const resource of resources) {
    out[pos++] = TAG_RESOURCE_SPANS;
    pos = writeVarint(out, pos, resource.bodyLength);
    copyHeader(resource.header);
    for (const scope of resource.scopes.items) {
      out[pos++] = TAG_SCOPE_SPANS;
      pos = writeVarint(out, pos, scope.bodyLength);
      copyHeader(scope.header);
      const ranges = scope.spanRanges;
      for (let i = 0; i < ranges.length; i += 2) {
        out[pos++] = TAG_SPAN;
        pos = writeVarint(out, pos, ranges[i + 1] - ranges[i]);
        pos += scope.spanSrcs[i >> 1].copy(out, pos, ranges[i], ranges[i + 1]);
      }
    }
  }
  if (note) pos += note.copy(out, pos);
  if (pos !== total) throw new Error(`combined trace size mismatch: wrote ${pos} of ${total} bytes`);
  return out;
}
