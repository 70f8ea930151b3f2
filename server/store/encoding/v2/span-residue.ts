import { SPAN, STATUS } from '../../../otlp/trace-fields';
import { ProtoReader, varintSize, writeVarint } from '../../../otlp/wire';
import { type ColumnSpan, RESIDUE_KEY_MARKER, rebuiltEndUnixNano } from './otlp-rebuild';
import { ResidueAttributes } from './residue-attributes';
import { copyRange, hexEquals, releaseUtf8Scratch, utf8Equals } from './residue-bytes';

export {
  RESIDUE_KEY_MARKER,
  rebuildSpan,
  rebuildTracesData,
  resourcePart,
  scopePart,
} from './otlp-rebuild';

/**
 * A block that keeps each span once, in its Parquet rows, keeps with each row a *residue*: the
 * Span message's own protobuf bytes minus what the columns (`ColumnSpan`: the search model's
 * values) give back exactly. `rebuildSpan` (otlp-rebuild.ts) writes the span again from both with
 * the same meaning (field order and the order of attributes may differ).
 *
 * Left out of the residue, each only when the model's value writes it again with the same meaning:
 * - trace_id, span_id, parent_span_id: the lowercase hex of the bytes ('' for none). A non-empty
 *   all-zero parent, which the model reads as none, stays.
 * - name, and the Status when it holds only a code and a message and is not empty:
 *   byte-identical UTF-8 (a capped, unread or invalid-UTF-8 text stays), a code that is a safe
 *   integer; kind likewise. (An empty Status present stays: a message field's presence counts.)
 * - start: equal and not 0. end: equal to start + duration and not 0. A time present with the
 *   value 0 stays (whether a time is there decides the model's duration). An absent end or Status
 *   that the columns would write is flagged in the marker field.
 * - Per key, its last scalar attribute (the one the model kept), when it is a plain KeyValue (one
 *   key, one value of one member) whose key is UTF-8 and whose member is what the columns write:
 *   a byte-identical string, a bool, an int that is a safe integer, a finite double that is not a
 *   safe integer (3.0 and -0 come back as ints; NaN and infinities cannot be in the columns). Every
 *   other key of the model is marked: its column value is not written.
 * - A field met with another wire type too stays whole, every occurrence.
 * Everything else stays as it is: events, links, trace_state, flags, dropped counts, earlier and
 * non-scalar attributes, unknown fields. A column field the span lacks that the columns would
 * write (a model not made of these bytes) gets its default value in the residue.
 */

export type { ColumnSpan } from './otlp-rebuild';

// Tags as local constants (see trace-fields.ts).
const TAG_TRACE_ID = SPAN.tag.trace_id;
const TAG_SPAN_ID = SPAN.tag.span_id;
const TAG_PARENT = SPAN.tag.parent_span_id;
const TAG_NAME = SPAN.tag.name;
const TAG_KIND = SPAN.tag.kind;
const TAG_START = SPAN.tag.start_time_unix_nano;
const TAG_END = SPAN.tag.end_time_unix_nano;
const TAG_ATTRIBUTES = SPAN.tag.attributes;
const TAG_STATUS = SPAN.tag.status;
const TAG_STATUS_CODE = STATUS.tag.code;
const TAG_STATUS_MESSAGE = STATUS.tag.message;
const TAG_KEY_MARKER = RESIDUE_KEY_MARKER * 8 + 2;
/** In the marker field: a key, and flags. */
const TAG_MARKED_KEY = 0x0a;
const TAG_MARK_FLAGS = 0x10;
const MARK_NO_END = 1;
const MARK_NO_STATUS = 2;
const TWO_POW_32 = 4294967296;

/** The fields the columns reproduce (besides attributes), as a bit per field number. */
const COLUMN_FIELDS = (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 15);
/**
 * A column field the span does not have but the columns would write (a model that is not the
 * span's): its default value, which keeps `rebuildSpan` from writing the column's.
 */
const EXPLICIT_DEFAULT: Record<number, Uint8Array> = {
  1: Uint8Array.of(TAG_TRACE_ID, 0),
  2: Uint8Array.of(TAG_SPAN_ID, 0),
  4: Uint8Array.of(TAG_PARENT, 0),
  5: Uint8Array.of(TAG_NAME, 0),
  6: Uint8Array.of(TAG_KIND, 0),
  7: Uint8Array.of(TAG_START, 0, 0, 0, 0, 0, 0, 0, 0),
};

const EMPTY = new Uint8Array(0);
// Scratch state reused by every call (one span at a time: this is synchronous code).
let reader = new ProtoReader(EMPTY);
let readerInput: Uint8Array = EMPTY;
/** The span's top-level fields, [recStart, recEnd): what each is (`recWhat`): 0 kept, a field number, or ~i for attribute i. */
let recStart = new Int32Array(64);
let recEnd = new Int32Array(64);
let recWhat = new Int32Array(64);
/** The span's attributes: where each is, and which leave the residue. */
let attrs = new ResidueAttributes();
const lastAt = new Int32Array(16);
const lastLength = new Int32Array(16);

/**
 * The Span message at buf[spanAt, spanEnd) minus what `rebuildSpan` will reproduce from `model`
 * (the SearchSpan `appendSearchSpans` made of this same span, plus the trace ID). A column field
 * is left out only when the model's value writes it again with the same meaning; everything else
 * stays as it is (the rules above). Zero-length for a span with nothing else; SDKs that write
 * `flags` and an empty Status on every span leave those 8 bytes.
 */
export function spanResidue(buf: Uint8Array, spanAt: number, spanEnd: number, model: ColumnSpan): Uint8Array {
  try {
    return residueOf(buf, spanAt, spanEnd, model);
  } finally {
    // A hostile span (millions of attributes) grows the scratch arrays to hundreds of MB: let them go.
    if (recStart.length > MAX_KEPT_SCRATCH || attrs.capacity > MAX_KEPT_SCRATCH) releaseScratch();
    releaseUtf8Scratch();
  }
}

/** Scratch entries kept between calls; past this the arrays are dropped after the span. */
const MAX_KEPT_SCRATCH = 4096;

function releaseScratch(): void {
  recStart = new Int32Array(64);
  recEnd = new Int32Array(64);
  recWhat = new Int32Array(64);
  attrs = new ResidueAttributes();
  reader = new ProtoReader(EMPTY);
  readerInput = EMPTY;
}

function residueOf(buf: Uint8Array, spanAt: number, spanEnd: number, model: ColumnSpan): Uint8Array {
  if (buf !== readerInput) {
    reader = new ProtoReader(buf);
    readerInput = buf;
  }
  const r = reader;
  const b = r.buf;
  r.pos = spanAt;
  let fields = 0;
  let attributes = 0;
  let scalars = 0;
  let seen = 0;
  let wrongWire = 0;
  let kind = 0;
  let statusPlain = true;
  let statusCode = 0;
  let messageAt = 0;
  let messageLength = 0;
  while (r.pos < spanEnd) {
    const start = r.pos;
    const tag = r.tag(spanEnd);
    let what = 0;
    switch (tag) {
      case TAG_TRACE_ID:
      case TAG_SPAN_ID:
      case TAG_PARENT:
      case TAG_NAME: {
        what = tag >>> 3;
        const length = r.len(spanEnd);
        lastAt[what] = r.pos;
        lastLength[what] = length;
        r.pos += length;
        break;
      }
      case TAG_KIND:
        what = 6;
        kind = r.varint(spanEnd);
        break;
      case TAG_START:
      case TAG_END:
        what = tag >>> 3;
        lastAt[what] = r.pos;
        r.skip(1, spanEnd);
        break;
      case TAG_STATUS: {
        what = 15;
        const statusEnd = r.len(spanEnd) + r.pos;
        // Repeated Status messages merge: the last code and the last message count.
        while (r.pos < statusEnd) {
          const t = r.tag(statusEnd);
          if (t === TAG_STATUS_CODE) statusCode = r.varint(statusEnd);
          else if (t === TAG_STATUS_MESSAGE) {
            messageLength = r.len(statusEnd);
            messageAt = r.pos;
            r.pos += messageLength;
          } else {
            statusPlain = false;
            r.skip(t & 7, statusEnd);
          }
        }
        break;
      }
      case TAG_ATTRIBUTES:
        // Only scalars can leave; any other KeyValue stays, like any field the columns do not hold.
        if (attrs.read(r, spanEnd, attributes) !== 0) {
          scalars++;
          what = ~attributes++;
        }
        break;
      default: {
        const field = Math.floor(tag / 8);
        if (field < 16 && (COLUMN_FIELDS & (1 << field)) !== 0) wrongWire |= 1 << field;
        r.skip(tag & 7, spanEnd);
      }
    }
    // Fields that stay, one after another, are one run: a span of millions of them (hostile, or
    // just many non-scalar attributes) costs one entry, not millions.
    if (
      what === 0 &&
      fields > 0 &&
      recWhat[fields - 1] === 0 &&
      recEnd[fields - 1] === start &&
      !startsWithMarkerField(b, recStart[fields - 1], start) &&
      !startsWithMarkerField(b, start, r.pos)
    ) {
      recEnd[fields - 1] = r.pos;
      continue;
    }
    if (fields === recWhat.length) growFields();
    recStart[fields] = start;
    recEnd[fields] = r.pos;
    recWhat[fields++] = what;
    if (what > 0) seen |= 1 << what;
  }

  // Which column fields the model writes again exactly (absent counts as the default value).
  let same = 0;
  if (traceIdSame(b, lastAt[1], seen & (1 << 1) ? lastLength[1] : 0, model.traceId)) same |= 1 << 1;
  if (hexEquals(b, lastAt[2], seen & (1 << 2) ? lastLength[2] : 0, model.spanId)) same |= 1 << 2;
  if (hexEquals(b, lastAt[4], seen & (1 << 4) ? lastLength[4] : 0, model.parentSpanId)) same |= 1 << 4;
  if (utf8Equals(b, lastAt[5], seen & (1 << 5) ? lastAt[5] + lastLength[5] : lastAt[5], model.name))
    same |= 1 << 5;
  if (seen & (1 << 6) ? kind === model.kind && Number.isSafeInteger(kind) : model.kind === 0) same |= 1 << 6;
  // A time present with the value 0 stays: whether a time is there decides the model's duration.
  const startSame =
    seen & (1 << 7)
      ? model.startUnixNano !== 0n && model.startUnixNano === b.readBigUInt64LE(lastAt[7])
      : model.startUnixNano === 0n;
  if (startSame) same |= 1 << 7;
  // No end time, or no Status, where the columns would write one: a flag in the marker field
  // says so (an explicit end of 0 would read back as another duration; a Status message, empty
  // or not, is there or not in proto3).
  let flags = 0;
  if (endSame(b, seen, startSame, model)) same |= 1 << 8;
  else if ((seen & (1 << 8)) === 0) {
    same |= 1 << 8;
    flags |= MARK_NO_END;
  }
  const columnsWriteStatus = model.statusCode !== 0 || model.statusMessage !== '';
  if (seen & (1 << 15)) {
    // Only a Status the columns write again leaves: an empty one present stays.
    if (
      columnsWriteStatus &&
      statusPlain &&
      statusCode === model.statusCode &&
      Number.isSafeInteger(statusCode) &&
      utf8Equals(b, messageAt, messageAt + messageLength, model.statusMessage)
    )
      same |= 1 << 15;
  } else {
    same |= 1 << 15;
    if (columnsWriteStatus) flags |= MARK_NO_STATUS;
  }
  // A field also met with another wire type stays whole: the residue then holds that field number.
  const removed = same & ~wrongWire;
  const explicitDefaults = COLUMN_FIELDS & ~same & ~seen & ~wrongWire;

  const markers = attrs.markers;
  if (markers.length > 0) markers.length = 0;
  if (attributes > 0 || model.attributes.size > 0) attrs.decide(b, r, attributes, scalars, model.attributes);

  let size = 0;
  let lastKept = -1;
  for (let i = 0; i < fields; i++) {
    if (!kept(i, removed)) continue;
    size += recEnd[i] - recStart[i];
    lastKept = i;
  }
  if (explicitDefaults !== 0)
    for (let f = 1; f < 16; f++) if (explicitDefaults & (1 << f)) size += EXPLICIT_DEFAULT[f].length;
  // The keys go in one marker field, last; written (empty) also when the span's own last kept
  // field has the marker's number, so that the last field of a residue is always ours.
  let markerBytes = 0;
  for (const key of markers) markerBytes += keyBytes(key);
  if (flags !== 0) markerBytes += 2;
  const withMarkers =
    flags !== 0 || markers.length > 0 || (lastKept >= 0 && endsWithMarkerField(r, lastKept));
  if (withMarkers) size += 2 + varintSize(markerBytes) + markerBytes;
  if (size === 0) return EMPTY;

  const out = new Uint8Array(size);
  let pos = 0;
  let runStart = -1;
  for (let i = 0; i < fields; i++) {
    if (kept(i, removed)) {
      if (runStart < 0) runStart = recStart[i];
    } else if (runStart >= 0) {
      pos = copyRange(b, runStart, recStart[i], out, pos);
      runStart = -1;
    }
  }
  if (runStart >= 0) pos = copyRange(b, runStart, recEnd[fields - 1], out, pos);
  for (let f = 1; explicitDefaults !== 0 && f < 16; f++) {
    if (explicitDefaults & (1 << f)) {
      out.set(EXPLICIT_DEFAULT[f], pos);
      pos += EXPLICIT_DEFAULT[f].length;
    }
  }
  if (withMarkers) {
    pos = writeVarint(out, writeVarint(out, pos, TAG_KEY_MARKER), markerBytes);
    for (const key of markers) {
      const bytes = Buffer.from(key, 'utf8');
      pos = writeVarint(out, writeVarint(out, pos, TAG_MARKED_KEY), bytes.length);
      out.set(bytes, pos);
      pos += bytes.length;
    }
    if (flags !== 0) {
      out[pos++] = TAG_MARK_FLAGS;
      out[pos++] = flags;
    }
  }
  return out;
}

function keyBytes(key: string): number {
  const length = Buffer.byteLength(key, 'utf8');
  return 1 + varintSize(length) + length;
}

/** Whether the field at [at, end) is field `RESIDUE_KEY_MARKER`, whatever its wire type. */
function startsWithMarkerField(b: Buffer, at: number, end: number): boolean {
  let tag = 0;
  for (let shift = 0, i = at; i < end && shift < 35; i++, shift += 7) {
    tag += (b[i] & 0x7f) * 2 ** shift;
    if (b[i] < 0x80) return Math.floor(tag / 8) === RESIDUE_KEY_MARKER;
  }
  return false;
}

function endsWithMarkerField(r: ProtoReader, i: number): boolean {
  r.pos = recStart[i];
  return Math.floor(r.tag(recEnd[i]) / 8) === RESIDUE_KEY_MARKER;
}

function kept(i: number, removed: number): boolean {
  const what = recWhat[i];
  if (what === 0) return true;
  if (what > 0) return (removed & (1 << what)) === 0;
  return attrs.removed[~what] === 0;
}

/**
 * Whether start + duration (as `rebuildSpan` writes the end) is the span's end time, and is
 * written exactly when the span has one (an end of 0 present stays, like a start of 0).
 */
function endSame(b: Buffer, seen: number, startSame: boolean, model: ColumnSpan): boolean {
  if ((seen & (1 << 8)) === 0) return rebuiltEndUnixNano(model.startUnixNano, model.durationNanos) === 0n;
  const e = lastAt[8];
  if (b.readUInt32LE(e) === 0 && b.readUInt32LE(e + 4) === 0) return false;
  if ((seen & (1 << 7)) !== 0 && startSame) {
    // The common case without a bigint: the span visitor's own exact difference.
    const s = lastAt[7];
    const d =
      (b.readUInt32LE(e + 4) - b.readUInt32LE(s + 4)) * TWO_POW_32 + (b.readUInt32LE(e) - b.readUInt32LE(s));
    if (d === model.durationNanos && Number.isSafeInteger(d)) return true;
  }
  return rebuiltEndUnixNano(model.startUnixNano, model.durationNanos) === b.readBigUInt64LE(e);
}

/** The last trace ID found the same (most spans of a request share their trace's). */
const lastTraceId = Buffer.alloc(16);
let lastTraceIdLength = -1;
let lastTraceIdHex = '';

/** `hexEquals` for the trace ID (at `at`), remembering the last one found the same. */
function traceIdSame(b: Buffer, at: number, length: number, hex: string): boolean {
  if (length === lastTraceIdLength && hex === lastTraceIdHex) {
    let i = 0;
    while (i < length && b[at + i] === lastTraceId[i]) i++;
    if (i === length) return true;
  }
  if (!hexEquals(b, at, length, hex)) return false;
  if (length > 0 && length <= lastTraceId.length) {
    for (let i = 0; i < length; i++) lastTraceId[i] = b[at + i];
    lastTraceIdLength = length;
    lastTraceIdHex = hex;
  }
  return true;
}

function growFields(): void {
  const grow = (a: Int32Array) => {
    const g = new Int32Array(a.length * 2);
    g.set(a);
    return g;
  };
  recStart = grow(recStart);
  recEnd = grow(recEnd);
  recWhat = grow(recWhat);
}
