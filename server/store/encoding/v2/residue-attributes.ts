import { ANY_VALUE, KEY_VALUE } from '../../../otlp/trace-fields';
import { decodeUtf8Interned } from '../../../otlp/utf8-intern';
import { ProtoReader } from '../../../otlp/wire';
import type { Attributes, AttributeValue } from '../../../search-model/search-trace';
import { utf8Equals } from './residue-bytes';

const TAG_KEY = KEY_VALUE.tag.key;
const TAG_VALUE = KEY_VALUE.tag.value;
const TAG_STRING = ANY_VALUE.tag.string_value;
const TAG_BOOL = ANY_VALUE.tag.bool_value;
const TAG_INT = ANY_VALUE.tag.int_value;
const TAG_DOUBLE = ANY_VALUE.tag.double_value;
const TAG_ARRAY = ANY_VALUE.tag.array_value;
const TAG_KVLIST = ANY_VALUE.tag.kvlist_value;
const TAG_BYTES = ANY_VALUE.tag.bytes_value;
const STRING = ANY_VALUE.field.string_value;
const BOOL = ANY_VALUE.field.bool_value;
const INT = ANY_VALUE.field.int_value;
const DOUBLE = ANY_VALUE.field.double_value;

/**
 * A span's attributes as the residue decides them (`span-residue.ts`): per KeyValue, where its
 * key and value are and whether the columns write it again (`removed`), and the keys whose
 * column value must not be written (`markers`). Scratch arrays reused span after span.
 */
export class ResidueAttributes {
  /** Per attribute (KeyValue): its key bytes, the value type as the model reads it, where the value's data is. */
  keyAt = new Int32Array(32);
  keyEnd = new Int32Array(32);
  type = new Uint8Array(32);
  /** 1: one key, one value with one member, nothing else: a KeyValue the columns can write again. */
  plain = new Uint8Array(32);
  valueAt = new Int32Array(32);
  valueEnd = new Int32Array(32);
  /** 1: the attribute leaves the residue. */
  removed = new Uint8Array(32);
  readonly markers: string[] = [];
  private readonly seenKeys = new Set<string>();
  private reader = new ProtoReader(new Uint8Array(0));
  private fastBuf: Buffer = Buffer.alloc(0);
  private fastIndex = 0;
  private fastCount = 0;
  private fastOk = true;

  /** Entries the arrays hold. */
  get capacity(): number {
    return this.type.length;
  }

  /**
   * Notes the KeyValue whose tag was just read as attribute `i` and returns its value type as
   * `AttributeCursor.valueType` reads it (the last member of the last value; 0 when it is not a
   * scalar the model keeps).
   */
  read(r: ProtoReader, end: number, i: number): number {
    if (i === this.type.length) this.grow();
    const kvEnd = r.len(end) + r.pos;
    let keyAt = r.pos;
    let keyEnd = r.pos;
    let valueAt = 0;
    let valueEnd = -1;
    let keys = 0;
    let values = 0;
    let others = 0;
    while (r.pos < kvEnd) {
      const t = r.tag(kvEnd);
      if (t === TAG_KEY) {
        keyEnd = r.len(kvEnd) + r.pos;
        keyAt = r.pos;
        r.pos = keyEnd;
        keys++;
      } else if (t === TAG_VALUE) {
        valueEnd = r.len(kvEnd) + r.pos;
        valueAt = r.pos;
        r.pos = valueEnd;
        values++;
      } else {
        others++;
        r.skip(t & 7, kvEnd);
      }
    }
    let type = 0;
    let members = 0;
    if (valueEnd >= 0) {
      r.pos = valueAt;
      while (r.pos < valueEnd) {
        const t = r.tag(valueEnd);
        members++;
        const at = r.pos;
        if (t === TAG_STRING) {
          const length = r.len(valueEnd);
          this.valueAt[i] = r.pos;
          r.pos += length;
          this.valueEnd[i] = r.pos;
          type = STRING;
          continue;
        }
        r.skip(t & 7, valueEnd);
        if (t === TAG_BOOL || t === TAG_INT || t === TAG_DOUBLE) {
          this.valueAt[i] = at;
          this.valueEnd[i] = r.pos;
          type = t >>> 3;
        } else if (t === TAG_ARRAY || t === TAG_KVLIST || t === TAG_BYTES) type = 0;
      }
      r.pos = kvEnd;
    }
    this.keyAt[i] = keyAt;
    this.keyEnd[i] = keyEnd;
    this.type[i] = type;
    this.plain[i] = keys <= 1 && values === 1 && others === 0 && members === 1 ? 1 : 0;
    this.removed[i] = 0;
    return type;
  }

  /**
   * Marks the attributes to leave out (`removed`) and the keys whose column value must not be
   * written (`markers`). Only the last scalar occurrence of a key is the model's; it is left out
   * when the model's value writes it again exactly, and its key is marked otherwise.
   */
  decide(b: Buffer, r: ProtoReader, count: number, scalars: number, model: Attributes): void {
    this.reader = r;
    if (scalars === model.size) {
      // Usually no key repeats: then the scalar attributes are the model's entries in the same
      // order (a Map keeps insertion order), and matching each key's bytes proves it.
      this.fastBuf = b;
      this.fastIndex = 0;
      this.fastCount = count;
      this.fastOk = true;
      model.forEach(this.fastEntry, this);
      if (this.fastOk) return;
      for (let i = 0; i < this.fastCount; i++) this.removed[i] = 0;
      if (this.markers.length > 0) this.markers.length = 0;
    }
    this.seenKeys.clear();
    let found = 0;
    for (let i = count - 1; i >= 0; i--) {
      if (this.type[i] === 0) continue;
      const key = decodeUtf8Interned(b, this.keyAt[i], this.keyEnd[i]);
      if (this.seenKeys.has(key)) continue;
      this.seenKeys.add(key);
      const value = model.get(key);
      if (value === undefined) continue;
      found++;
      if (utf8Equals(b, this.keyAt[i], this.keyEnd[i], key) && this.valueSame(b, i, value))
        this.removed[i] = 1;
      else this.markers.push(key);
    }
    // A model key the span has no scalar for: its column value must not be written either.
    if (found < model.size)
      for (const key of model.keys()) if (!this.seenKeys.has(key)) this.markers.push(key);
  }

  private fastEntry(value: AttributeValue, key: string): void {
    if (!this.fastOk) return;
    while (this.fastIndex < this.fastCount && this.type[this.fastIndex] === 0) this.fastIndex++;
    const i = this.fastIndex++;
    if (i >= this.fastCount || !utf8Equals(this.fastBuf, this.keyAt[i], this.keyEnd[i], key)) {
      this.fastOk = false;
      return;
    }
    if (this.valueSame(this.fastBuf, i, value)) this.removed[i] = 1;
    else this.markers.push(key);
  }

  /** Whether attribute i is a plain KeyValue whose value is what `rebuildSpan` writes for `value`. */
  private valueSame(b: Buffer, i: number, value: AttributeValue): boolean {
    if (this.plain[i] === 0) return false;
    const at = this.valueAt[i];
    const end = this.valueEnd[i];
    switch (this.type[i]) {
      case STRING:
        return typeof value === 'string' && utf8Equals(b, at, end, value);
      case BOOL:
        this.reader.pos = at;
        return typeof value === 'boolean' && (this.reader.varint(end) !== 0) === value;
      case INT:
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) return false;
        this.reader.pos = at;
        return value >= 0
          ? this.reader.varint(end) === value
          : this.reader.varintInt64(end) === BigInt(value);
      case DOUBLE:
        // An integral double is written back as an int, a non-finite one cannot be in the columns.
        return (
          typeof value === 'number' &&
          !Number.isSafeInteger(value) &&
          Number.isFinite(value) &&
          b.readDoubleLE(at) === value
        );
      default:
        return false;
    }
  }

  private grow(): void {
    const grow32 = (a: Int32Array) => {
      const g = new Int32Array(a.length * 2);
      g.set(a);
      return g;
    };
    const grow8 = (a: Uint8Array) => {
      const g = new Uint8Array(a.length * 2);
      g.set(a);
      return g;
    };
    this.keyAt = grow32(this.keyAt);
    this.keyEnd = grow32(this.keyEnd);
    this.valueAt = grow32(this.valueAt);
    this.valueEnd = grow32(this.valueEnd);
    this.type = grow8(this.type);
    this.plain = grow8(this.plain);
    this.removed = grow8(this.removed);
  }
}
