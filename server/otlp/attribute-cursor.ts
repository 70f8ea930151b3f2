import { decodeUtf8Capped } from '../series-model/label-limits';
import { ANY_VALUE, KEY_VALUE } from './trace-fields';
import { decodeUtf8Interned } from './utf8-intern';
import { ProtoReader } from './wire';

// Tags as local constants (see trace-fields.ts).
const TAG_KEY = KEY_VALUE.tag.key;
const TAG_VALUE = KEY_VALUE.tag.value;
const TAG_STRING = ANY_VALUE.tag.string_value;
const TAG_BOOL = ANY_VALUE.tag.bool_value;
const TAG_INT = ANY_VALUE.tag.int_value;
const TAG_DOUBLE = ANY_VALUE.tag.double_value;
const TAG_ARRAY = ANY_VALUE.tag.array_value;
const TAG_KVLIST = ANY_VALUE.tag.kvlist_value;
const TAG_BYTES = ANY_VALUE.tag.bytes_value;

/**
 * How the texts that may become labels or search values (service, span name, status message,
 * attribute values) are read: at most `maxBytes` UTF-8 bytes of each (0: all), so a 10 MiB
 * service name costs a 2 KiB string, not 10 MiB per span. Each value cut adds one to `truncated`.
 */
export interface LabelValueReading {
  maxBytes: number;
  /** Whether the span visitor reads the status message at all (span metrics: only as a label). */
  statusMessage: boolean;
  truncated: number;
}

/** A length-delimited string field whose tag was just read, cut as `reading` says. */
export function readCappedString(r: ProtoReader, end: number, reading: LabelValueReading): string {
  const length = r.len(end);
  const start = r.pos;
  r.pos += length;
  // Each byte decodes to at most 3 (an invalid one becomes U+FFFD): short fields need no check.
  if (reading.maxBytes === 0 || length * 3 <= reading.maxBytes)
    return decodeUtf8Interned(r.buf, start, r.pos);
  const { text, truncated } = decodeUtf8Capped(r.buf, start, start + length, reading.maxBytes);
  if (truncated) reading.truncated++;
  return text;
}

/** A name as the UTF-8 bytes `AttributeCursor.keyEquals` and `indexOfKey` compare keys with. */
export function utf8Key(name: string): Buffer {
  return Buffer.from(name, 'utf8');
}

/**
 * Walks the attributes (repeated KeyValue) of one message in place: `next()` moves to the next
 * KeyValue and only notes where its key and value are; the key and the value are decoded when
 * asked, as the type asked for. One cursor is reused for every walk: it allocates nothing itself
 * (`key()` and the string and bytes values make what they return).
 *
 * ```ts
 * for (const a = span.spanAttributes(); a.next(); ) {
 *   if (a.keyEquals(HTTP_ROUTE)) route = a.stringValue();
 * }
 * ```
 */
export class AttributeCursor {
  private readonly r: ProtoReader;
  private end = 0;
  private fieldTag = 0;
  /** Where the current KeyValue ends: where the walk goes on from. */
  private kvEnd = 0;
  /** The current key's bytes, [keyAt, keyEnd) (empty when the KeyValue has none). */
  keyAt = 0;
  keyEnd = 0;
  /** The current value, an AnyValue message at [valueAt, valueEnd); valueEnd is -1 when there is none. */
  valueAt = 0;
  valueEnd = -1;

  constructor(readonly buf: Buffer) {
    this.r = new ProtoReader(buf);
  }

  /** Starts a walk over the fields tagged `fieldTag` (KeyValues) of the message at [start, end). */
  reset(start: number, end: number, fieldTag: number): this {
    this.r.pos = start;
    this.end = end;
    this.fieldTag = fieldTag;
    this.kvEnd = start;
    this.keyAt = this.keyEnd = start;
    this.valueEnd = -1;
    return this;
  }

  /** Moves to the next attribute; false when there is none left. */
  next(): boolean {
    const r = this.r;
    const end = this.end;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag !== this.fieldTag) {
        r.skip(tag & 7, end);
        continue;
      }
      const kvEnd = r.len(end) + r.pos;
      this.kvEnd = kvEnd;
      // The last key and the last value win, as a protobuf decoder would have it.
      this.keyAt = this.keyEnd = r.pos;
      this.valueEnd = -1;
      while (r.pos < kvEnd) {
        const t = r.tag(kvEnd);
        if (t === TAG_KEY) {
          this.keyEnd = r.len(kvEnd) + r.pos;
          this.keyAt = r.pos;
          r.pos = this.keyEnd;
        } else if (t === TAG_VALUE) {
          this.valueEnd = r.len(kvEnd) + r.pos;
          this.valueAt = r.pos;
          r.pos = this.valueEnd;
        } else r.skip(t & 7, kvEnd);
      }
      return true;
    }
    return false;
  }

  /** The key, decoded as UTF-8. */
  key(): string {
    return decodeUtf8Interned(this.buf, this.keyAt, this.keyEnd);
  }

  /** Whether the key is these UTF-8 bytes (`utf8Key(name)`); decodes nothing. */
  keyEquals(key: Uint8Array): boolean {
    const at = this.keyAt;
    const length = key.length;
    if (this.keyEnd - at !== length) return false;
    const buf = this.buf;
    for (let i = 0; i < length; i++) if (buf[at + i] !== key[i]) return false;
    return true;
  }

  /**
   * The position in `keys` (UTF-8 bytes, `utf8Key`) of the first one equal to the key, or -1.
   * Bytes are compared, so a key that is not valid UTF-8 matches no name.
   */
  indexOfKey(keys: readonly Uint8Array[]): number {
    for (let i = 0; i < keys.length; i++) if (this.keyEquals(keys[i])) return i;
    return -1;
  }

  /**
   * The value's type, as the field number of the AnyValue member present
   * (`ANY_VALUE.field.string_value`…); 0 for an empty value or none. The last member wins.
   */
  valueType(): number {
    if (this.valueEnd < 0) return 0;
    const r = this.r;
    const end = this.valueEnd;
    let type = 0;
    r.pos = this.valueAt;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (
        tag === TAG_STRING ||
        tag === TAG_BOOL ||
        tag === TAG_INT ||
        tag === TAG_DOUBLE ||
        tag === TAG_ARRAY ||
        tag === TAG_KVLIST ||
        tag === TAG_BYTES
      )
        type = tag >>> 3;
      r.skip(tag & 7, end);
    }
    r.pos = this.kvEnd;
    return type;
  }

  /**
   * The value as label text: strings cut as `reading` says, booleans, integers and doubles
   * printed (`true`, `-42`, `1.5`); '' for bytes, arrays, maps and no value.
   */
  valueText(reading: LabelValueReading): string {
    if (this.valueEnd < 0) return '';
    const r = this.r;
    const end = this.valueEnd;
    let text = '';
    r.pos = this.valueAt;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === TAG_STRING) text = readCappedString(r, end, reading);
      else if (tag === TAG_BOOL) text = r.varint(end) !== 0 ? 'true' : 'false';
      else if (tag === TAG_INT) text = r.varintInt64(end).toString();
      else if (tag === TAG_DOUBLE) text = String(r.double(end));
      else r.skip(tag & 7, end);
    }
    r.pos = this.kvEnd;
    return text;
  }

  /** A string value, whole; '' when the value is not a string. */
  stringValue(): string {
    if (this.seek(TAG_STRING) < 0) return '';
    const r = this.r;
    const text = r.string(this.valueEnd);
    r.pos = this.kvEnd;
    return text;
  }

  /** A bool value; false when the value is not a bool. */
  boolValue(): boolean {
    if (this.seek(TAG_BOOL) < 0) return false;
    const value = this.r.varint(this.valueEnd) !== 0;
    this.r.pos = this.kvEnd;
    return value;
  }

  /** An int value, exact; 0n when the value is not an int. */
  intValue(): bigint {
    if (this.seek(TAG_INT) < 0) return 0n;
    const value = this.r.varintInt64(this.valueEnd);
    this.r.pos = this.kvEnd;
    return value;
  }

  /** A double value; 0 when the value is not a double. */
  doubleValue(): number {
    if (this.seek(TAG_DOUBLE) < 0) return 0;
    const value = this.r.double(this.valueEnd);
    this.r.pos = this.kvEnd;
    return value;
  }

  /** A bytes value, as a view of the request bytes; undefined when the value is not bytes. */
  bytesValue(): Buffer | undefined {
    if (this.seek(TAG_BYTES) < 0) return undefined;
    const r = this.r;
    const length = r.len(this.valueEnd);
    const value = this.buf.subarray(r.pos, r.pos + length);
    r.pos = this.kvEnd;
    return value;
  }

  /**
   * Puts the reader on the value of the last member tagged `tag` and returns its position, or
   * returns -1 (the reader back after the KeyValue). Callers read the value, then set the
   * reader back to `kvEnd`, where `next()` goes on from.
   */
  private seek(tag: number): number {
    if (this.valueEnd < 0) return -1;
    const r = this.r;
    const end = this.valueEnd;
    let found = -1;
    r.pos = this.valueAt;
    while (r.pos < end) {
      const t = r.tag(end);
      if (t === tag) found = r.pos;
      r.skip(t & 7, end);
    }
    r.pos = found < 0 ? this.kvEnd : found;
    return found;
  }
}
