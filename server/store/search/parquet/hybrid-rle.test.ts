import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink';
import { bitWidthFor, writeHybridRle } from './hybrid-rle';

type Run = { kind: 'rle'; length: number } | { kind: 'packed'; groups: number };

/**
 * A reference decoder of Parquet's RLE / bit-packed hybrid (no length prefix), written from the
 * spec: a ULEB128 header whose low bit picks the run kind; an RLE run repeats one value stored in
 * ceil(width / 8) little-endian bytes; a bit-packed run holds `header >> 1` groups of eight values,
 * least significant bit first. Returns every decoded value (padding included) and the runs.
 */
function decode(bytes: Uint8Array, bitWidth: number): { values: number[]; runs: Run[] } {
  const values: number[] = [];
  const runs: Run[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let header = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = bytes[pos++];
      header += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
    }
    const count = Math.floor(header / 2);
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < Math.ceil(bitWidth / 8); b++) value += bytes[pos++] * 2 ** (8 * b);
      for (let k = 0; k < count; k++) values.push(value);
      runs.push({ kind: 'rle', length: count });
    } else {
      for (let v = 0; v < count * 8; v++) {
        let value = 0;
        for (let bit = 0; bit < bitWidth; bit++) {
          const at = v * bitWidth + bit;
          if ((bytes[pos + (at >> 3)] >> (at & 7)) & 1) value += 2 ** bit;
        }
        values.push(value);
      }
      pos += count * bitWidth;
      runs.push({ kind: 'packed', groups: count });
    }
  }
  expect(pos).toBe(bytes.length);
  return { values, runs };
}

function encode(values: readonly number[], bitWidth: number): Uint8Array {
  const sink = new ByteSink(4);
  writeHybridRle(sink, values, values.length, bitWidth);
  return new Uint8Array(sink.view());
}

/** Encodes, decodes, checks the values come back and that only the last run is padded. */
function roundTrip(values: readonly number[], bitWidth: number): Run[] {
  const { values: decoded, runs } = decode(encode(values, bitWidth), bitWidth);
  expect(decoded.slice(0, values.length)).toEqual(values);
  expect(decoded.length - values.length).toBeLessThan(8);
  expect(decoded.slice(values.length).every((v) => v === 0)).toBe(true);
  const last = runs.at(-1);
  const beforeLast = decoded.length - (last?.kind === 'packed' ? last.groups * 8 : (last?.length ?? 0));
  expect(beforeLast).toBeLessThanOrEqual(values.length);
  return runs;
}

const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('writeHybridRle', () => {
  it('writes a long run as one RLE run', () => {
    expect(roundTrip(repeat(1, 10_000), 1)).toEqual([{ kind: 'rle', length: 10_000 }]);
    expect(roundTrip(repeat(300, 200), 9)).toEqual([{ kind: 'rle', length: 200 }]);
  });

  it('bit-packs values without runs, padding only the final group', () => {
    const values = Array.from({ length: 21 }, (_, i) => i % 5);
    expect(roundTrip(values, 3)).toEqual([{ kind: 'packed', groups: 3 }]);
  });

  it('writes nothing for no values', () => {
    expect(encode([], 4)).toEqual(new Uint8Array());
  });

  it('keeps a run of 7 after literals in the bit-packed run', () => {
    expect(roundTrip([1, 2, 3, ...repeat(4, 7)], 3)).toEqual([{ kind: 'packed', groups: 2 }]);
  });

  it('borrows from a run of 8 or 9 after literals to fill their group, packing what is left', () => {
    expect(roundTrip([1, 2, 3, ...repeat(4, 8)], 3)).toEqual([
      { kind: 'packed', groups: 1 },
      { kind: 'packed', groups: 1 },
    ]);
    expect(roundTrip([1, 2, 3, ...repeat(4, 9), 5], 3)).toEqual([
      { kind: 'packed', groups: 1 },
      { kind: 'packed', groups: 1 },
    ]);
  });

  it('RLE-encodes what is left of a run after the borrow when at least 8 remain', () => {
    expect(roundTrip([1, 2, 3, ...repeat(4, 13), 6], 3)).toEqual([
      { kind: 'packed', groups: 1 },
      { kind: 'rle', length: 8 },
      { kind: 'packed', groups: 1 },
    ]);
  });

  it('borrows nothing when the literals fill whole groups', () => {
    const literals = Array.from({ length: 16 }, (_, i) => i);
    expect(roundTrip([...literals, ...repeat(7, 8)], 4)).toEqual([
      { kind: 'packed', groups: 2 },
      { kind: 'rle', length: 8 },
    ]);
  });

  it('mixes runs and literals of every length', () => {
    const r = random(3);
    const values: number[] = [];
    while (values.length < 2000) values.push(...repeat(Math.floor(r() * 4), 1 + Math.floor(r() * 20)));
    const runs = roundTrip(values, 2);
    expect(runs.some((run) => run.kind === 'rle')).toBe(true);
    expect(runs.some((run) => run.kind === 'packed')).toBe(true);
  });

  it.each([1, 3, 8, 11, 17, 32])('round-trips values that fit bit width %i', (bitWidth) => {
    const r = random(bitWidth);
    const max = 2 ** bitWidth - 1;
    const values = [max, 0, max, ...repeat(max, 9)];
    while (values.length < 500) {
      const value = Math.floor(r() * (max + 1));
      values.push(...repeat(value, r() < 0.2 ? 8 + Math.floor(r() * 10) : 1));
    }
    values.push(max);
    const runs = roundTrip(values, bitWidth);
    expect(runs.filter((run) => run.kind === 'rle').length).toBeGreaterThan(1);
  });

  it('encodes only the first `count` values', () => {
    const sink = new ByteSink();
    writeHybridRle(sink, [5, 6, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1], 3, 3);
    expect(decode(new Uint8Array(sink.view()), 3).values).toEqual([5, 6, 7, 0, 0, 0, 0, 0]);
  });

  it('stores RLE values of wide bit widths in ceil(width / 8) little-endian bytes', () => {
    expect([...encode(repeat(0x12345, 8), 17)]).toEqual([16, 0x45, 0x23, 0x01]);
    expect([...encode(repeat(0xfffffffe, 10), 32)]).toEqual([20, 0xfe, 0xff, 0xff, 0xff]);
  });
});

describe('bitWidthFor', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 2],
    [255, 8],
    [256, 9],
    [2 ** 31, 32],
    [2 ** 32 - 1, 32],
  ])('needs for values up to %i a width of %i', (max, width) => {
    expect(bitWidthFor(max)).toBe(width);
  });
});
