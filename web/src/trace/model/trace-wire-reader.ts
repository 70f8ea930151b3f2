/**
 * The browser's protobuf wire-format reader for traces: just what decoding Tempo's OTLP answer
 * needs, with no schema and no intermediate objects; short strings are interned and IDs come out
 * as hex, because a trace repeats names and is shown by hex ID. The server has a reader of its own
 * (Buffer-based, every read bounded by an explicit end); the two share no code.
 */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const HEX_DIGIT = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const utf8 = new TextDecoder();
/** Strings up to this many bytes are interned (names, keys and values repeat from span to span). */
const INTERN_MAX_BYTES = 48;
/** Slots of the direct-mapped intern table (a power of two). */
const INTERN_SLOTS = 4096;

export class ProtoError extends Error {
  override name = 'ProtoError';
}

/**
 * One cursor over a whole message. Nested messages are read in place: `lengthEnd()` reads a
 * length prefix and returns where the payload ends, and the caller loops until `pos` gets there.
 * Nothing is allocated per field except the values themselves.
 */
export class TraceWireReader {
  pos = 0;
  /** Set by `fixed64()`: the low and high 32 bits. */
  lo = 0;
  hi = 0;
  private readonly view: DataView;
  /** Recent short ASCII strings by a hash of their bytes: a repeat costs a compare, not a string. */
  private readonly interned: (string | undefined)[] = new Array(INTERN_SLOTS);
  /** Char codes of an ID being turned into hex (IDs are at most 16 bytes; longer ones concatenate). */
  private readonly hexCodes: number[] = [];

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint of up to 53 bits as a number (lengths, tags, enums, counts). */
  uint(): number {
    const buf = this.buf;
    let byte = buf[this.pos++];
    if (byte < 0x80) return byte;
    let result = byte & 0x7f;
    let scale = 128;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= buf.length) throw new ProtoError('truncated varint');
      byte = buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new ProtoError('varint too long');
  }

  /** An int64 varint as decimal text, exact over the whole range (negatives included). */
  int64(): string {
    const start = this.pos;
    const value = this.uint();
    if (this.pos - start < 8) return String(value);
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(this.buf[i] & 0x7f);
    return BigInt.asIntN(64, big).toString();
  }

  /** Reads a fixed64 into `lo` and `hi`. */
  fixed64(): void {
    if (this.pos + 8 > this.buf.length) throw new ProtoError('truncated fixed64');
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoError('truncated double');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Reads a length prefix; returns the end of the payload, which starts at `pos`. */
  lengthEnd(): number {
    const end = this.uint() + this.pos;
    if (end > this.buf.length) throw new ProtoError('truncated field');
    return end;
  }

  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    const buf = this.buf;
    if (end - start <= INTERN_MAX_BYTES) {
      let hash = end - start;
      let ascii = true;
      for (let i = start; i < end; i++) {
        const b = buf[i];
        if (b >= 0x80) {
          ascii = false;
          break;
        }
        hash = (Math.imul(hash, 31) + b) | 0;
      }
      if (ascii) {
        const slot = (hash ^ (hash >>> 12)) & (INTERN_SLOTS - 1);
        const cached = this.interned[slot];
        if (cached !== undefined && sameAscii(cached, buf, start, end)) return cached;
        // Short ASCII (names, keys, most values) is cheaper by hand than through TextDecoder.
        const text = String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
        this.interned[slot] = text;
        return text;
      }
    }
    return utf8.decode(buf.subarray(start, end));
  }

  /** Bytes as lowercase hex (trace and span IDs), built as one flat string. */
  hex(): string {
    const end = this.lengthEnd();
    const buf = this.buf;
    if (end - this.pos > 16) {
      let out = '';
      for (let i = this.pos; i < end; i++) out += HEX_BYTE[buf[i]];
      this.pos = end;
      return out;
    }
    const codes = this.hexCodes;
    codes.length = 2 * (end - this.pos);
    for (let i = this.pos, k = 0; i < end; i++, k += 2) {
      codes[k] = HEX_DIGIT[buf[i] >> 4];
      codes[k + 1] = HEX_DIGIT[buf[i] & 15];
    }
    this.pos = end;
    return String.fromCharCode.apply(null, codes);
  }

  /** Bytes as standard base64 (the proto JSON mapping of `bytes` values). */
  base64(): string {
    const end = this.lengthEnd();
    let binary = '';
    for (let i = this.pos; i < end; i++) binary += String.fromCharCode(this.buf[i]);
    this.pos = end;
    return btoa(binary);
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    if (wireType === 0) this.uint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos = this.lengthEnd();
    else if (wireType === 5) this.pos += 4;
    else throw new ProtoError(`unsupported wire type ${wireType}`);
    if (this.pos > this.buf.length) throw new ProtoError('truncated field');
  }
}

/**
 * Splits a unix-nanosecond fixed64 into whole seconds and nanoseconds, exactly (a double cannot
 * hold 1.7e18 to the nanosecond): 2^32 ns = 4 s + 294,967,296 ns, done in pieces that stay below 2^53.
 */
export function splitUnixNano(lo: number, hi: number): [seconds: number, nanos: number] {
  const millionsTimes294 = hi * 294; // hi × 294e6 ns, counted in millions of ns
  const part1Sec = Math.floor(millionsTimes294 / 1000);
  const part1Ns = (millionsTimes294 - part1Sec * 1000) * 1e6;
  const part2 = hi * 967_296; // < 2^53
  const part2Sec = Math.floor(part2 / 1e9);
  const part2Ns = part2 - part2Sec * 1e9;
  const nanos = part1Ns + part2Ns + lo;
  const carry = Math.floor(nanos / 1e9);
  return [hi * 4 + part1Sec + part2Sec + carry, nanos - carry * 1e9];
}

/** Whether an ASCII string spells exactly the bytes `buf[start..end)`. */
function sameAscii(text: string, buf: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = start; i < end; i++) if (text.charCodeAt(i - start) !== buf[i]) return false;
  return true;
}
