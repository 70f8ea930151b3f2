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

const TAG_RESOURCE_SPANS = 0x0a; // TracesData.resource_spans = 1
const TAG_SCOPE_SPANS = 0x12; // ResourceSpans.scope_spans = 2
const TAG_SPAN = 0x12; // ScopeSpans.spans = 2
const TAG_SPAN_ID = 0x12; // Span.span_id = 2
const TAG_START_TIME = 0x39; // Span.start_time_unix_nano = 7
const TAG_END_TIME = 0x41; // Span.end_time_unix_nano = 8

/** A kept ResourceSpans or ScopeSpans: where its own fields are and what it will hold. */
interface Container<Child> {
  src: Buffer;
  /** Its fields other than the nested list, as [start, end) pairs in `src`. */
  header: number[];
  children: Child[];
  bodyLength: number;
}
type KeptScope = Container<number>; // children: span [start, end) pairs
type KeptResource = Container<KeptScope>;

/**
 * Merges TracesData encodings of one trace (oldest first) at the byte level: a span whose
 * span_id was already seen is dropped (the first copy wins), ResourceSpans and ScopeSpans
 * left without spans are dropped, and once the next span would take the result past
 * `maxBytes` (when > 0) nothing more is added and `truncated` is set. Runs per query and per
 * block build, so spans are never decoded beyond their ID and times.
 */
export function combineTraceParts(parts: Uint8Array[], maxBytes: number): CombinedTrace {
  const limit = maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  const resources: KeptResource[] = [];
  let total = 0; // bytes of the resources already closed
  let spanCount = 0;
  let truncated = false;
  let startNs = Number.POSITIVE_INFINITY;
  let endNs = 0;

  merging: for (const part of parts) {
    const r = new ProtoReader(part);
    const src = r.buf;
    const end = src.length;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag !== TAG_RESOURCE_SPANS) {
        r.skip(tag & 7, end);
        continue;
      }
      const rsLength = r.len(end);
      const resource = splitContainer(r, r.pos + rsLength, TAG_SCOPE_SPANS);
      let keptResource: KeptResource | undefined;
      let rsBody = headerLength(resource.header);
      for (let i = 0; i < resource.children.length; i += 2) {
        const scope = splitContainer(
          new ProtoReader(src, resource.children[i]),
          resource.children[i + 1],
          TAG_SPAN,
        );
        let keptScope: KeptScope | undefined;
        let ssBody = headerLength(scope.header);
        for (let j = 0; j < scope.children.length; j += 2) {
          const spanStart = scope.children[j];
          const spanEnd = scope.children[j + 1];
          const span = readSpanKey(new ProtoReader(src, spanStart), spanEnd);
          if (seen.has(span.id)) continue;
          const nextSs = ssBody + lenFieldSize(spanEnd - spanStart);
          const nextRs = rsBody + lenFieldSize(nextSs);
          if (total + lenFieldSize(nextRs) > limit) {
            truncated = true;
            break merging;
          }
          seen.add(span.id);
          if (!keptResource) {
            keptResource = { src, header: resource.header, children: [], bodyLength: 0 };
            resources.push(keptResource);
          }
          if (!keptScope) {
            keptScope = { src, header: scope.header, children: [], bodyLength: 0 };
            keptResource.children.push(keptScope);
          }
          keptScope.children.push(spanStart, spanEnd);
          keptScope.bodyLength = ssBody = nextSs;
          keptResource.bodyLength = nextRs;
          spanCount++;
          if (span.startNs < startNs) startNs = span.startNs;
          if (span.endNs > endNs) endNs = span.endNs;
        }
        if (keptScope) rsBody += lenFieldSize(ssBody);
      }
      if (keptResource) total += lenFieldSize(keptResource.bodyLength);
    }
  }
  return {
    data: writeResources(resources),
    spanCount,
    truncated,
    startMs: spanCount > 0 ? startNs / 1e6 : 0,
    endMs: spanCount > 0 ? endNs / 1e6 : 0,
  };
}

/** Reads a message's fields, separating the nested list (`listTag`) from the rest. */
function splitContainer(
  r: ProtoReader,
  end: number,
  listTag: number,
): { header: number[]; children: number[] } {
  const header: number[] = [];
  const children: number[] = [];
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.tag(end);
    if (tag === listTag) {
      const length = r.len(end);
      children.push(r.pos, r.pos + length);
      r.pos += length;
      continue;
    }
    r.skip(tag & 7, end);
    if (header.length > 0 && header[header.length - 1] === fieldStart) header[header.length - 1] = r.pos;
    else header.push(fieldStart, r.pos);
  }
  return { header, children };
}

function headerLength(ranges: number[]): number {
  let length = 0;
  for (let i = 0; i < ranges.length; i += 2) length += ranges[i + 1] - ranges[i];
  return length;
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

function writeResources(resources: KeptResource[]): Buffer {
  // Recomputed rather than taken from the loop, which stops mid-resource when truncating.
  let total = 0;
  for (const resource of resources) total += lenFieldSize(resource.bodyLength);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const copyRanges = (src: Buffer, ranges: number[]) => {
    for (let i = 0; i < ranges.length; i += 2) pos += src.copy(out, pos, ranges[i], ranges[i + 1]);
  };
  for (const resource of resources) {
    out[pos++] = TAG_RESOURCE_SPANS;
    pos = writeVarint(out, pos, resource.bodyLength);
    copyRanges(resource.src, resource.header);
    for (const scope of resource.children) {
      out[pos++] = TAG_SCOPE_SPANS;
      pos = writeVarint(out, pos, scope.bodyLength);
      copyRanges(scope.src, scope.header);
      for (let i = 0; i < scope.children.length; i += 2) {
        out[pos++] = TAG_SPAN;
        pos = writeVarint(out, pos, scope.children[i + 1] - scope.children[i]);
        pos += scope.src.copy(out, pos, scope.children[i], scope.children[i + 1]);
      }
    }
  }
  if (pos !== total) throw new Error(`combined trace size mismatch: wrote ${pos} of ${total} bytes`);
  return out;
}
