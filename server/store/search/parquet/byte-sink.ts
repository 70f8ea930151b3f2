/**
 * A growable byte buffer for the Parquet writer: pages, headers and the footer are appended
 * here, so encoding a column costs one copy per grow instead of an array of small buffers.
 */
export class ByteSink {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Room for `extra` more bytes at `pos`. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** An unsigned LEB128 varint of a non-negative safe integer. */
  uvarint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  int32(value: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(value, this.pos);
    this.pos += 4;
  }

  int64(value: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(value, this.pos);
    this.pos += 8;
  }

  /** An int64 from a safe integer, without a BigInt (durations are numbers). */
  int64Number(value: number): void {
    this.ensure(8);
    const low = value % 4294967296;
    const high = Math.floor(value / 4294967296);
    this.buf.writeUInt32LE(low < 0 ? low + 4294967296 : low, this.pos);
    this.buf.writeInt32LE(high, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A Parquet PLAIN byte array: 4-byte little-endian length, then the UTF-8 bytes. */
  lengthPrefixedUtf8(text: string): void {
    this.ensure(4 + text.length * 3);
    const written = this.buf.write(text, this.pos + 4, 'utf8');
    this.buf.writeInt32LE(written, this.pos);
    this.pos += 4 + written;
  }

  /** The bytes written so far (a view: copy it before the sink is reused). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}
