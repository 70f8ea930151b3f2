import { OtlpDecodeError } from './errors';
import { decodeUtf8Interned } from './utf8-intern';

/** Protobuf wire types. Groups (3, 4) are deprecated and never used by OTLP, so they are refused. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;
const MAX_FIELD_NUMBER = 536870911; // 2^29 - 1
/** 1 for each byte that is a whole valid tag: field 1-15, wire type 0, 1, 2 or 5. */
const VALID_ONE_BYTE_TAG = new Uint8Array(256);
for (let b = 8; b < 0x80; b++) {
  const wireType = b & 7;
  if (wireType === 0 || wireType === 1 || wireType === 2 || wireType === 5) VALID_ONE_BYTE_TAG[b] = 1;
}

/** The same memory as a Buffer, so native helpers (hex, utf8, copy) can be used on it. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes a varint takes; exact for every length a Buffer can have. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  let size = 5;
  for (let v = Math.floor(n / 0x800000000); v > 0; v = Math.floor(v / 128)) size++;
  return size;
}

/** Writes a non-negative integer (up to 2^53) as a varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = n >= TWO_POW_32 ? Math.floor(n / 128) : n >>> 7;
  }
  buf[pos++] = n;
  return pos;
}

/** Size of a length-delimited field with a one-byte tag (field numbers 1 to 15). */
export function lenFieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * A cursor over protobuf bytes. Every read is bounded by an explicit `end` (the end of the
 * enclosing message), so nested messages are read in place without copying, and any
 * truncation or length running past its container throws `OtlpDecodeError`.
 */
export class ProtoReader {
  readonly buf: Buffer;
  pos: number;

  constructor(data: Uint8Array, pos = 0) {
    this.buf = asBuffer(data);
    this.pos = pos;
  }

  fail(message: string): never {
    throw new OtlpDecodeError(`malformed protobuf at byte ${this.pos}: ${message}`);
  }

  /** A varint as a Number: exact up to 2^53, which covers every length, count and enum. */
  varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) this.fail('message ends inside a varint');
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    let scale = 128;
    for (let i = 1; i < 10; i++) {
      if (pos >= end) this.fail('message ends inside a varint');
      b = buf[pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A varint as an exact signed 64-bit integer (int64 two's complement). */
  varintInt64(end: number): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail('message ends inside a varint');
      const b = this.buf[this.pos++];
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, value);
      shift += 7n;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A field tag; field number 0 and wire types OTLP cannot contain are refused. */
  tag(end: number): number {
    // Kept tiny so it inlines: one-byte tags (fields 1-15) are every field OTLP defines.
    const pos = this.pos;
    if (pos < end) {
      const b = this.buf[pos];
      if (VALID_ONE_BYTE_TAG[b] === 1) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.tagSlow(end);
  }

  private tagSlow(end: number): number {
    const pos = this.pos;
    const tag = this.varint(end);
    const wireType = tag % 8;
    const field = Math.floor(tag / 8);
    if (field === 0 || field > MAX_FIELD_NUMBER) {
      this.pos = pos;
      this.fail(`invalid field number ${field}`);
    }
    if (
      wireType !== WIRE_VARINT &&
      wireType !== WIRE_FIXED64 &&
      wireType !== WIRE_LEN &&
      wireType !== WIRE_FIXED32
    ) {
      this.pos = pos;
      this.fail(`unsupported wire type ${wireType} for field ${field}`);
    }
    return tag;
  }

  /** The length prefix of a length-delimited field, checked against the enclosing message. */
  len(end: number): number {
    const pos = this.pos;
    if (pos < end) {
      const length = this.buf[pos];
      if (length < end - pos && length < 0x80) {
        this.pos = pos + 1;
        return length;
      }
    }
    return this.lenSlow(end);
  }

  private lenSlow(end: number): number {
    const length = this.varint(end);
    if (length > end - this.pos) this.fail(`length ${length} runs past the end of its message`);
    return length;
  }

  /** Moves past a field's value. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint(end);
        return;
      case WIRE_FIXED64:
        this.need(8, end);
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const length = this.len(end);
        this.pos += length;
        return;
      }
      case WIRE_FIXED32:
        this.need(4, end);
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  /** Throws unless a known field arrived with the wire type its declaration implies. */
  expect(tag: number, wireType: number, what: string): void {
    if (tag % 8 !== wireType) this.fail(`${what} has wire type ${tag % 8}, expected ${wireType}`);
  }

  fixed32(end: number): number {
    this.need(4, end);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A fixed64 as a Number (exact up to 2^53; unix nanoseconds lose under a microsecond). */
  fixed64(end: number): number {
    this.need(8, end);
    const buf = this.buf;
    const p = this.pos;
    const lo = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
    const hi = buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24);
    this.pos = p + 8;
    return (hi >>> 0) * TWO_POW_32 + (lo >>> 0);
  }

  /** A fixed64 as its exact decimal string. */
  fixed64String(end: number): string {
    this.need(8, end);
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value.toString();
  }

  double(end: number): number {
    this.need(8, end);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A length-delimited value decoded as UTF-8 (invalid sequences become U+FFFD). */
  string(end: number): string {
    const length = this.len(end);
    const start = this.pos;
    this.pos += length;
    return decodeUtf8Interned(this.buf, start, start + length);
  }

  /** A length-delimited value as standard base64 with padding. */
  base64(end: number): string {
    const length = this.len(end);
    const start = this.pos;
    this.pos += length;
    return this.buf.toString('base64', start, start + length);
  }

  private need(bytes: number, end: number): void {
    if (end - this.pos < bytes) this.fail(`message ends inside a ${bytes}-byte fixed field`);
  }
}
