/**
 * Byte comparisons the span residue makes on its hot path (every span of every block): the bytes
 * against the search model's hex IDs and strings, without decoding them.
 */

/** Each byte's two lowercase hex digits (char codes), first digit in the high byte. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, byte) => {
  const digits = byte.toString(16).padStart(2, '0');
  return (digits.charCodeAt(0) << 8) | digits.charCodeAt(1);
});

/** Whether the bytes are `hex` (lowercase) exactly. */
export function hexEquals(b: Buffer, at: number, length: number, hex: string): boolean {
  if (hex.length !== length * 2) return false;
  for (let i = 0; i < length; i++) {
    if (((hex.charCodeAt(2 * i) << 8) | hex.charCodeAt(2 * i + 1)) !== HEX_PAIRS[b[at + i]]) return false;
  }
  return true;
}

/** Copies b[from, to) to out at pos; returns the position after. Short runs (most) by hand. */
export function copyRange(b: Buffer, from: number, to: number, out: Uint8Array, pos: number): number {
  if (to - from > 64) return pos + b.copy(out, pos, from, to);
  for (let i = from; i < to; i++) out[pos++] = b[i];
  return pos;
}

let utf8Scratch = Buffer.alloc(256);

/** Whether the bytes [at, end) are the UTF-8 of `text` exactly (bytes that are not UTF-8 never are). */
export function utf8Equals(b: Buffer, at: number, end: number, text: string): boolean {
  const length = end - at;
  // A UTF-16 unit takes at least one byte.
  if (text.length > length) return false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    if (b[at + i] !== c) return false;
  }
  if (i === text.length) return i === length;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes !== length) return false;
  if (utf8Scratch.length < bytes) utf8Scratch = Buffer.alloc(Math.max(bytes, utf8Scratch.length * 2));
  utf8Scratch.write(text, 0, 'utf8');
  return utf8Scratch.compare(b, at, end, 0, bytes) === 0;
}

/** Drops the scratch buffer a huge string grew. */
export function releaseUtf8Scratch(): void {
  if (utf8Scratch.length > 64 * 1024) utf8Scratch = Buffer.alloc(256);
}
