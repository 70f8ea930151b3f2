import { packBits } from './bit-pack';
import type { ByteSink } from './byte-sink';

/** Values per block and miniblocks per block, as parquet-mr writes them. */
const BLOCK_VALUES = 128;
const MINIBLOCKS = 4;
const MINIBLOCK_VALUES = BLOCK_VALUES / MINIBLOCKS;

/** Deltas are packed as JS numbers: past this, a column is written PLAIN instead. */
const MAX_SAFE_DELTA = 2 ** 52;

/**
 * The deltas between consecutive int64 values (bigint or number), or undefined when one does
 * not fit a JS number exactly (then the caller writes PLAIN). Start times of a trace's spans are
 * microseconds apart while the values themselves are ~2^60: deltas take 20–30 bits, not 64.
 */
export function int64Deltas(
  values: readonly (bigint | number)[],
  from: number,
  to: number,
): Float64Array | undefined {
  const deltas = new Float64Array(Math.max(0, to - from - 1));
  for (let i = from + 1; i < to; i++) {
    const a = values[i - 1];
    const b = values[i];
    const delta = typeof a === 'bigint' || typeof b === 'bigint' ? Number(BigInt(b) - BigInt(a)) : b - a;
    if (!(Math.abs(delta) < MAX_SAFE_DELTA)) return undefined;
    deltas[i - from - 1] = delta;
  }
  return deltas;
}

/**
 * Parquet's DELTA_BINARY_PACKED encoding of `to - from` int64 values whose consecutive deltas are
 * `deltas` (from `int64Deltas`): a header (block size, miniblocks per block, count, first value),
 * then per block of 128 deltas its minimum and four miniblocks of 32 deltas bit-packed at the
 * width their largest needs.
 */
export function writeDeltaBinaryPacked(
  out: ByteSink,
  first: bigint | number,
  count: number,
  deltas: Float64Array,
): void {
  out.uvarint(BLOCK_VALUES);
  out.uvarint(MINIBLOCKS);
  out.uvarint(count);
  writeZigzag64(out, BigInt(first));
  const widths = new Uint8Array(MINIBLOCKS);
  for (let block = 0; block < deltas.length; block += BLOCK_VALUES) {
    const end = Math.min(deltas.length, block + BLOCK_VALUES);
    let min = deltas[block];
    for (let i = block + 1; i < end; i++) if (deltas[i] < min) min = deltas[i];
    writeZigzag64(out, BigInt(min));
    const miniblocks = Math.ceil((end - block) / MINIBLOCK_VALUES);
    widths.fill(0);
    for (let m = 0; m < miniblocks; m++) {
      let max = 0;
      const mEnd = Math.min(end, block + (m + 1) * MINIBLOCK_VALUES);
      for (let i = block + m * MINIBLOCK_VALUES; i < mEnd; i++) max = Math.max(max, deltas[i] - min);
      widths[m] = bitsFor(max);
    }
    out.bytes(widths);
    for (let m = 0; m < miniblocks; m++) {
      const start = block + m * MINIBLOCK_VALUES;
      packMiniblock(out, deltas, start, Math.min(end, start + MINIBLOCK_VALUES), min, widths[m]);
    }
  }
}

function bitsFor(max: number): number {
  let bits = 0;
  while (bits < 53 && max >= 2 ** bits) bits++;
  return bits;
}

/** 32 values (the last miniblock padded with zeros) at `width` bits each, least significant bit first. */
function packMiniblock(
  out: ByteSink,
  deltas: Float64Array,
  from: number,
  to: number,
  min: number,
  width: number,
): void {
  const bytes = (MINIBLOCK_VALUES * width) / 8;
  if (bytes === 0) return;
  out.ensure(bytes);
  packBits(out.buf, out.pos, bytes, deltas, from, to, width, min);
  out.pos += bytes;
}

function writeZigzag64(out: ByteSink, value: bigint): void {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  out.ensure(10);
  while (v >= 0x80n) {
    out.buf[out.pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out.buf[out.pos++] = Number(v);
}
