const TWO_32 = 4294967296;

/**
 * Writes `values[from..to)` minus `bias`, `width` bits each, least significant bit first, into
 * `buf` at `start` (zeroed here, `bytes` long: callers pad whole groups). The bit-packing of
 * both Parquet encodings that pack (RLE/bit-packed hybrid, DELTA_BINARY_PACKED). Values are
 * non-negative integers below 2^53 once biased.
 */
export function packBits(
  buf: Uint8Array,
  start: number,
  bytes: number,
  values: ArrayLike<number>,
  from: number,
  to: number,
  width: number,
  bias = 0,
): void {
  buf.fill(0, start, start + bytes);
  if (width === 0) return;
  if (width <= 44) {
    // Pending bits in one double (below 2^52, so exact), flushed a byte at a time.
    let pending = 0;
    let pendingBits = 0;
    let at = start;
    for (let i = from; i < to; i++) {
      pending += (values[i] - bias) * 2 ** pendingBits;
      pendingBits += width;
      while (pendingBits >= 8) {
        const byte = pending % 256;
        buf[at++] = byte;
        pending = (pending - byte) / 256;
        pendingBits -= 8;
      }
    }
    if (pendingBits > 0) buf[at] = pending;
    return;
  }
  // Wider values: split in two 32-bit halves, shifted right together.
  let bit = 0;
  for (let i = from; i < to; i++) {
    const value = values[i] - bias;
    let low = value % TWO_32;
    let high = Math.floor(value / TWO_32);
    let remaining = width;
    while (remaining > 0) {
      const at = start + (bit >>> 3);
      const offset = bit & 7;
      const take = Math.min(8 - offset, remaining);
      buf[at] |= (low & ((1 << take) - 1)) << offset;
      low = ((low >>> take) | ((high & ((1 << take) - 1)) << (32 - take))) >>> 0;
      high = Math.floor(high / 2 ** take);
      remaining -= take;
      bit += take;
    }
  }
}
