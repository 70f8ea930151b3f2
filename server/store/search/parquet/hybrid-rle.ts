import { packBits } from './bit-pack';
import type { ByteSink } from './byte-sink';

/** Runs at least this long are written as one RLE run; shorter ones go into bit-packed groups. */
const MIN_RLE_RUN = 8;

/** The bits needed for values up to `max` (at least 1: some readers reject width 0). */
export function bitWidthFor(max: number): number {
  let width = 1;
  while (width < 32 && max >= 2 ** width) width++;
  return width;
}

/**
 * Parquet's RLE / bit-packed hybrid encoding of `values[0..count)` (definition levels and
 * dictionary indices), without a length prefix. Runs of one value become RLE runs (a trace's
 * spans share its trace-level values, a nullable column's absent rows share level 0); the rest is
 * bit-packed in groups of eight. Bit-packed runs hold whole groups, so values are borrowed from a
 * following run to fill the last group before it; only the final group is padded.
 */
export function writeHybridRle(
  out: ByteSink,
  values: ArrayLike<number>,
  count: number,
  bitWidth: number,
): void {
  const literal: number[] = [];
  let i = 0;
  while (i < count) {
    const value = values[i];
    let run = 1;
    while (i + run < count && values[i + run] === value) run++;
    if (run >= MIN_RLE_RUN) {
      const borrow = (8 - (literal.length % 8)) % 8;
      if (literal.length > 0) {
        for (let k = 0; k < borrow; k++) literal.push(value);
        writeBitPacked(out, literal, bitWidth);
        literal.length = 0;
        i += borrow;
        run -= borrow;
      }
      if (run >= MIN_RLE_RUN) {
        writeRleRun(out, value, run, bitWidth);
        i += run;
        continue;
      }
    }
    for (let k = 0; k < run; k++) literal.push(value);
    i += run;
  }
  if (literal.length > 0) writeBitPacked(out, literal, bitWidth);
}

function writeRleRun(out: ByteSink, value: number, run: number, bitWidth: number): void {
  out.uvarint(run * 2);
  const bytes = Math.ceil(bitWidth / 8);
  out.ensure(bytes);
  let v = value;
  for (let b = 0; b < bytes; b++) {
    out.buf[out.pos++] = v & 0xff;
    v >>>= 8;
  }
}

/** Values in groups of eight, least significant bit first; the last group padded with zeros. */
function writeBitPacked(out: ByteSink, values: readonly number[], bitWidth: number): void {
  const groups = Math.ceil(values.length / 8);
  out.uvarint(groups * 2 + 1);
  const byteCount = groups * bitWidth;
  out.ensure(byteCount);
  packBits(out.buf, out.pos, byteCount, values, 0, values.length, bitWidth);
  out.pos += byteCount;
}
