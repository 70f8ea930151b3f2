import { varintSize, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, writeVarint } from './wire';

/**
 * A growable protobuf encoder. Nested messages are written in place: `openMessage` reserves
 * one byte for the length and `closeMessage` fills it in, shifting the body only when the
 * length needs more than one byte. Used off the ingest hot path (responses, OTLP/JSON,
 * synthetic data), where it is much cheaper than building protobufjs objects.
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly openStarts: number[] = [];

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  get length(): number {
    return this.pos;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** A non-negative integer up to 2^53 (uint32, uint64, enum values, lengths). */
  varint(n: number): this {
    this.ensure(10);
    this.pos = writeVarint(this.buf, this.pos, n);
    return this;
  }

  /** Any 64-bit integer as a varint (negative values take 10 bytes, as int64 requires). */
  varintBig(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  /** int32 semantics: negative values are sign-extended to 64 bits. */
  int32(n: number): this {
    return n >= 0 ? this.varint(n) : this.varintBig(BigInt(n));
  }

  sint32(n: number): this {
    return this.varint(((n << 1) ^ (n >> 31)) >>> 0);
  }

  sint64(value: bigint): this {
    const v = BigInt.asIntN(64, value);
    return this.varintBig(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }

  fixed32(n: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  /** A fixed64 from its two 32-bit halves. */
  fixed64(lo: number, hi: number): this {
    this.ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }

  fixed64Big(value: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.pos);
    this.pos += 8;
    return this;
  }

  double(n: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
    return this;
  }

  float(n: number): this {
    this.ensure(4);
    this.buf.writeFloatLE(n, this.pos);
    this.pos += 4;
    return this;
  }

  /** Length-prefixed bytes. */
  bytes(data: Uint8Array): this {
    this.varint(data.length);
    return this.raw(data);
  }

  /** Length-prefixed UTF-8. */
  string(s: string): this {
    // Short ASCII strings (attribute keys, most values) are copied by a plain loop, which is
    // much cheaper than measuring and encoding them through two native calls.
    if (s.length < 0x80) {
      this.ensure(s.length + 1);
      const buf = this.buf;
      let pos = this.pos + 1;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === s.length) {
        buf[this.pos] = s.length;
        this.pos = pos;
        return this;
      }
    }
    const length = Buffer.byteLength(s, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** Bytes copied as they are (already-encoded fields). */
  raw(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  varintField(field: number, n: number): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  stringField(field: number, s: string): this {
    return this.tag(field, WIRE_LEN).string(s);
  }

  bytesField(field: number, data: Uint8Array): this {
    return this.tag(field, WIRE_LEN).bytes(data);
  }

  fixed32Field(field: number, n: number): this {
    return this.tag(field, WIRE_FIXED32).fixed32(n);
  }

  fixed64Field(field: number, lo: number, hi: number): this {
    return this.tag(field, WIRE_FIXED64).fixed64(lo, hi);
  }

  doubleField(field: number, n: number): this {
    return this.tag(field, WIRE_FIXED64).double(n);
  }

  /** Starts a length-delimited field whose length is known only once it is closed. */
  openMessage(field: number): this {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    this.openStarts.push(this.pos);
    this.pos += 1;
    return this;
  }

  closeMessage(): this {
    const start = this.openStarts.pop();
    if (start === undefined) throw new Error('closeMessage without openMessage');
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    writeVarint(this.buf, start, length);
    return this;
  }

  /** A view of bytes already written; valid only until the next write or reset. */
  view(start: number, end: number): Buffer {
    return this.buf.subarray(start, end);
  }

  /** The encoded bytes, in a buffer of their own. */
  finish(): Buffer {
    if (this.openStarts.length > 0) throw new Error('finish with an unclosed message');
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** Forgets everything written, keeping the memory for the next message. */
  reset(): this {
    this.pos = 0;
    this.openStarts.length = 0;
    return this;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
