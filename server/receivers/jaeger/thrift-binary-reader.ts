/**
 * A reader of Thrift's binary protocol (TBinaryProtocol), enough for `jaeger.thrift`: structs,
 * lists, strings, binary, bool, i32, i64, double, and skipping any other field (maps, sets,
 * nested structs of a newer IDL). Every read is bounds-checked against the body, so a truncated
 * or garbage body ends in a `ThriftReadError` (never a RangeError, a huge allocation or a hang):
 * a list or string length is checked against the bytes left before anything is allocated, and
 * skipping nested values stops at Apache Thrift's default depth of 64.
 *
 * Wire format (big-endian): a struct is a run of fields, each `type:i8 id:i16 value`, ended by a
 * STOP byte (0); a string or binary is `length:i32 bytes`; a list or set `elemType:i8 size:i32`
 * then the elements; a map `keyType:i8 valueType:i8 size:i32` then the pairs.
 */

export const ThriftType = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ThriftType).map(([name, code]) => [code, name.toLowerCase()]),
);

/** Apache Thrift's DEFAULT_RECURSION_DEPTH: how deep skipped values may nest. */
const MAX_SKIP_DEPTH = 64;

/** The smallest encoding of one value of each type: a length or count is checked against it. */
const MIN_VALUE_BYTES: Record<number, number> = {
  [ThriftType.BOOL]: 1,
  [ThriftType.BYTE]: 1,
  [ThriftType.DOUBLE]: 8,
  [ThriftType.I16]: 2,
  [ThriftType.I32]: 4,
  [ThriftType.I64]: 8,
  [ThriftType.STRING]: 4,
  [ThriftType.STRUCT]: 1,
  [ThriftType.MAP]: 6,
  [ThriftType.SET]: 5,
  [ThriftType.LIST]: 5,
  [ThriftType.UUID]: 16,
};

export function thriftTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown type ${type}`;
}

/**
 * What is wrong with the body, and where: `path` is filled in by the struct decoders as the
 * error passes up through them (`['spans[2]', 'tags[0]', 'key']`), so only a failing read pays
 * for building it.
 */
export class ThriftReadError extends Error {
  readonly path: string[] = [];
  override readonly name = 'ThriftReadError';
}

export interface ThriftFieldHeader {
  type: number;
  id: number;
}

export interface ThriftListHeader {
  elementType: number;
  size: number;
}

export class ThriftBinaryReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** The next field of the current struct, or `undefined` at its STOP byte. */
  fieldHeader(): ThriftFieldHeader | undefined {
    const type = this.byte('a field type');
    if (type === ThriftType.STOP) return undefined;
    return { type, id: this.i16('a field id') };
  }

  bool(): boolean {
    // As Apache Thrift's Go library: only 1 is true.
    return this.byte('a bool') === 1;
  }

  i32(what = 'an i32'): number {
    this.need(4, what);
    const value = this.view.getInt32(this.pos);
    this.pos += 4;
    return value;
  }

  i64(): bigint {
    this.need(8, 'an i64');
    const value = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return value;
  }

  double(): number {
    this.need(8, 'a double');
    const value = this.view.getFloat64(this.pos);
    this.pos += 8;
    return value;
  }

  /** A `binary` value: a view of the body, not a copy. */
  binary(): Uint8Array {
    const length = this.i32('a string length');
    if (length < 0) throw new ThriftReadError(`negative length ${length}`);
    this.need(length, `${length} bytes of string or binary`);
    const value = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  /** A `string` value; bytes that are not UTF-8 become U+FFFD. */
  string(): string {
    const value = this.binary();
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  }

  /** A list's header, its size checked against the bytes left. */
  listHeader(): ThriftListHeader {
    const elementType = this.byte('a list element type');
    const size = this.i32('a list size');
    this.checkCount(size, elementType);
    return { elementType, size };
  }

  /** Reads past one value of `type` (a field this reader does not know, or of an unexpected type). */
  skip(type: number, depth = 0): void {
    if (depth >= MAX_SKIP_DEPTH) throw new ThriftReadError(`values nested deeper than ${MAX_SKIP_DEPTH}`);
    switch (type) {
      case ThriftType.BOOL:
      case ThriftType.BYTE:
        this.advance(1, 'a byte');
        return;
      case ThriftType.I16:
        this.advance(2, 'an i16');
        return;
      case ThriftType.I32:
        this.advance(4, 'an i32');
        return;
      case ThriftType.I64:
      case ThriftType.DOUBLE:
        this.advance(8, 'an 8-byte value');
        return;
      case ThriftType.UUID:
        this.advance(16, 'a uuid');
        return;
      case ThriftType.STRING:
        this.binary();
        return;
      case ThriftType.STRUCT:
        for (let field = this.fieldHeader(); field; field = this.fieldHeader())
          this.skip(field.type, depth + 1);
        return;
      case ThriftType.MAP: {
        const keyType = this.byte('a map key type');
        const valueType = this.byte('a map value type');
        const size = this.i32('a map size');
        this.checkCount(size, keyType, valueType);
        for (let i = 0; i < size; i++) {
          this.skip(keyType, depth + 1);
          this.skip(valueType, depth + 1);
        }
        return;
      }
      case ThriftType.SET:
      case ThriftType.LIST: {
        const { elementType, size } = this.listHeader();
        for (let i = 0; i < size; i++) this.skip(elementType, depth + 1);
        return;
      }
      default:
        throw new ThriftReadError(`${thriftTypeName(type)} is not a Thrift value type`);
    }
  }

  private byte(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  private i16(what: string): number {
    this.need(2, what);
    const value = this.view.getInt16(this.pos);
    this.pos += 2;
    return value;
  }

  private advance(count: number, what: string): void {
    this.need(count, what);
    this.pos += count;
  }

  private need(count: number, what: string): void {
    if (count > this.remaining) {
      throw new ThriftReadError(
        `the body ends early: ${what} at byte ${this.pos} needs ${count} byte${count === 1 ? '' : 's'}, only ${this.remaining} left`,
      );
    }
  }

  /** A list, set or map of `size` elements must fit in the bytes left (and have readable types). */
  private checkCount(size: number, ...types: number[]): void {
    if (size < 0) throw new ThriftReadError(`negative element count ${size}`);
    let perElement = 0;
    for (const type of types) {
      const min = MIN_VALUE_BYTES[type];
      if (min === undefined) throw new ThriftReadError(`${thriftTypeName(type)} is not a Thrift value type`);
      perElement += min;
    }
    if (size * perElement > this.remaining) {
      throw new ThriftReadError(
        `the body ends early: ${size} elements of ${types.map(thriftTypeName).join('/')} cannot fit in the ${this.remaining} bytes left`,
      );
    }
  }
}
