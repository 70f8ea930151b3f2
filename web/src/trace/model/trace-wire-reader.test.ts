// @vitest-environment node
import { TraceWireReader } from './trace-wire-reader';

/** Length-prefixed byte strings, back to back, as `TraceWireReader.string()` / `hex()` read them. */
function lengthPrefixed(values: Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  for (const value of values) {
    let n = value.length;
    while (n >= 0x80) {
      parts.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    parts.push(n);
    parts.push(...value);
  }
  return new Uint8Array(parts);
}

describe('TraceWireReader', () => {
  it('reads back every string exactly, however often short ones repeat or collide in the intern table', () => {
    // 20,000 distinct short names overflow the 4,096-slot table many times over; each is read
    // twice, interleaved with longer and non-ASCII text.
    const names = Array.from({ length: 20_000 }, (_, i) => `svc-${i % 97}.op-${i}`);
    const texts = [
      ...names,
      ...names.slice().reverse(),
      'x'.repeat(48),
      'y'.repeat(49),
      'grüße aus köln',
      '',
      'GET /checkout',
      'GET /checkout',
    ];
    const encoder = new TextEncoder();
    const reader = new TraceWireReader(lengthPrefixed(texts.map((t) => encoder.encode(t))));
    const read = texts.map(() => reader.string());
    expect(read).toEqual(texts);
    expect(reader.pos).toBe(reader.buf.length);
  });

  it('writes IDs as lowercase hex, whatever their length', () => {
    const ids = [
      Uint8Array.from([0x00, 0x0f, 0xf0, 0xff, 0xab, 0xcd, 0xef, 0x12]),
      Uint8Array.from({ length: 16 }, (_, i) => i * 17),
      Uint8Array.from({ length: 20 }, (_, i) => 255 - i),
      new Uint8Array(0),
    ];
    const reader = new TraceWireReader(lengthPrefixed(ids));
    expect(ids.map(() => reader.hex())).toEqual([
      '000ff0ffabcdef12',
      '00112233445566778899aabbccddeeff',
      'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedec',
      '',
    ]);
  });
});
