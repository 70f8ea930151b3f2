/**
 * A snappy block (the format of Loki's protobuf push, not the framed one) inflated with every
 * length and offset checked. snappyjs' own decoder reads a literal's four-byte length as a signed
 * number: ten bytes announcing a literal of 2^31 or more sent its cursor thousands of millions of
 * bytes back, to walk forward one byte at a time for seconds (issue 15). Format:
 * https://github.com/google/snappy/blob/main/format_description.txt
 */

export class SnappyError extends Error {}

const TWO_POW_32 = 4294967296;

function corrupt(what: string, pos: number): never {
  throw new SnappyError(`corrupt snappy block at byte ${pos}: ${what}`);
}

/** The inflated bytes; throws `SnappyError` on a corrupt block or one inflating past `maxLength`. */
export function uncompressSnappyBlock(input: Uint8Array, maxLength: number): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length) corrupt('the length preamble is cut short', pos);
    if (shift > 28) corrupt('the length preamble is longer than 5 bytes', pos);
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length >= TWO_POW_32) corrupt(`a length of ${length} bytes, past the format's 2^32 - 1`, 0);
  if (length > maxLength)
    throw new SnappyError(`the block inflates to ${length} bytes, more than the ${maxLength} allowed`);
  const out = Buffer.allocUnsafe(length);
  let outPos = 0;
  while (pos < input.length) {
    const at = pos;
    const c = input[pos++];
    const kind = c & 3;
    if (kind === 0) {
      let len = (c >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (input.length - pos < bytes) corrupt('a literal length is cut short', at);
        len = 1;
        for (let i = 0; i < bytes; i++) len += input[pos + i] * 2 ** (8 * i);
        pos += bytes;
      }
      if (len > input.length - pos) corrupt(`a literal of ${len} bytes runs past the input`, at);
      if (len > length - outPos) corrupt(`a literal of ${len} bytes runs past the declared length`, at);
      out.set(input.subarray(pos, pos + len), outPos);
      pos += len;
      outPos += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (input.length - pos < 1) corrupt('a copy is cut short', at);
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | input[pos];
      pos += 1;
    } else if (kind === 2) {
      if (input.length - pos < 2) corrupt('a copy is cut short', at);
      len = (c >>> 2) + 1;
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      if (input.length - pos < 4) corrupt('a copy is cut short', at);
      len = (c >>> 2) + 1;
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > outPos) corrupt(`a copy from ${offset} bytes back, before the start`, at);
    if (len > length - outPos) corrupt(`a copy of ${len} bytes runs past the declared length`, at);
    // Byte by byte: a copy may overlap what it writes (offset < len repeats a pattern).
    for (let i = 0; i < len; i++) out[outPos + i] = out[outPos - offset + i];
    outPos += len;
  }
  if (outPos !== length) corrupt(`the block holds ${outPos} bytes, not the ${length} it declares`, pos);
  return out;
}
