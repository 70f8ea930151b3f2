import type { ByteSink } from './byte-sink';

/**
 * Thrift's compact protocol, write side only, for Parquet's page headers and footer
 * (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md). Structs
 * are written field by field in increasing id order; nested structs go through `struct`.
 */
export const CT = {
  TRUE: 1,
  FALSE: 2,
  I32: 5,
  I64: 6,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const;

export class CompactWriter {
  private lastId = 0;
  private readonly outer: number[] = [];

  constructor(readonly out: ByteSink) {}

  i32(id: number, value: number): void {
    this.field(CT.I32, id);
    this.out.uvarint(zigzag32(value));
  }

  /** A non-negative i64 (offsets, sizes, row counts): zigzag of n ≥ 0 is 2n. */
  i64(id: number, value: number): void {
    if (!(value >= 0)) throw new RangeError(`thrift i64 field ${id}: ${value} is not a non-negative number`);
    this.field(CT.I64, id);
    this.out.uvarint(value * 2);
  }

  bool(id: number, value: boolean): void {
    this.field(value ? CT.TRUE : CT.FALSE, id);
  }

  string(id: number, value: string): void {
    this.field(CT.BINARY, id);
    const bytes = Buffer.from(value, 'utf8');
    this.out.uvarint(bytes.length);
    this.out.bytes(bytes);
  }

  struct(id: number, writeFields: () => void): void {
    this.field(CT.STRUCT, id);
    this.nested(writeFields);
  }

  /** A list of structs. */
  structList<T>(id: number, items: readonly T[], writeItem: (item: T) => void): void {
    this.listHeader(id, CT.STRUCT, items.length);
    for (const item of items) this.nested(() => writeItem(item));
  }

  i32List(id: number, items: readonly number[]): void {
    this.listHeader(id, CT.I32, items.length);
    for (const item of items) this.out.uvarint(zigzag32(item));
  }

  stringList(id: number, items: readonly string[]): void {
    this.listHeader(id, CT.BINARY, items.length);
    for (const item of items) {
      const bytes = Buffer.from(item, 'utf8');
      this.out.uvarint(bytes.length);
      this.out.bytes(bytes);
    }
  }

  /** Ends the top-level struct (a page header or the footer). */
  stop(): void {
    this.out.byte(0);
    this.lastId = 0;
  }

  private nested(writeFields: () => void): void {
    this.outer.push(this.lastId);
    this.lastId = 0;
    writeFields();
    this.out.byte(0);
    this.lastId = this.outer.pop()!;
  }

  private listHeader(id: number, elementType: number, size: number): void {
    this.field(CT.LIST, id);
    if (size < 15) this.out.byte((size << 4) | elementType);
    else {
      this.out.byte(0xf0 | elementType);
      this.out.uvarint(size);
    }
  }

  private field(type: number, id: number): void {
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.out.uvarint(zigzag32(id));
    }
    this.lastId = id;
  }
}

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}
