import protobuf from 'protobufjs';
import { OtlpDecodeError } from './errors';
import { ProtoWriter } from './proto-writer';
import { ProtoReader, varintSize, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, writeVarint } from './wire';

describe('ProtoWriter', () => {
  it('writes what protobufjs reads back', () => {
    const long = 'x'.repeat(20_000); // needs a 3-byte length, so the body is shifted on close
    const w = new ProtoWriter(16);
    w.varintField(1, 2 ** 53 - 1)
      .tag(2, WIRE_VARINT)
      .int32(-5)
      .tag(3, WIRE_VARINT)
      .sint32(-3);
    w.fixed64Field(4, 0xdeadbeef, 0x01020304).doubleField(5, -0.5).fixed32Field(6, 0xffffffff);
    w.openMessage(7).stringField(1, long).openMessage(2).stringField(1, 'é').closeMessage().closeMessage();
    w.tag(8, WIRE_VARINT)
      .varintBig(-(2n ** 63n))
      .tag(9, WIRE_FIXED64)
      .fixed64Big(2n ** 64n - 1n);

    const r = protobuf.Reader.create(w.finish());
    r.uint32();
    expect(Number(r.uint64())).toBe(2 ** 53 - 1);
    r.uint32();
    expect(r.int32()).toBe(-5);
    r.uint32();
    expect(r.sint32()).toBe(-3);
    r.uint32();
    expect(r.fixed64().toString()).toBe(((0x01020304n << 32n) | 0xdeadbeefn).toString());
    r.uint32();
    expect(r.double()).toBe(-0.5);
    r.uint32();
    expect(r.fixed32()).toBe(0xffffffff);
    r.uint32();
    const inner = protobuf.Reader.create(r.bytes());
    inner.uint32();
    expect(inner.string()).toBe(long);
    inner.uint32();
    const innermost = protobuf.Reader.create(inner.bytes());
    innermost.uint32();
    expect(innermost.string()).toBe('é');
    r.uint32();
    expect(r.int64().toString()).toBe((-(2n ** 63n)).toString());
    r.uint32();
    expect(r.fixed64().toString()).toBe((2n ** 64n - 1n).toString());
    expect(r.pos).toBe(r.len);
  });
});

describe('ProtoReader', () => {
  it('reads varints of every size and knows their length', () => {
    for (const n of [0, 1, 127, 128, 16_383, 16_384, 2 ** 28, 2 ** 32, 2 ** 35, 2 ** 53 - 1]) {
      const buf = Buffer.alloc(10);
      const end = writeVarint(buf, 0, n);
      expect(end).toBe(varintSize(n));
      const r = new ProtoReader(buf);
      expect(r.varint(end)).toBe(n);
      expect(r.pos).toBe(end);
    }
  });

  it('reads fields written by the writer, in place', () => {
    const w = new ProtoWriter();
    w.stringField(1, 'name').fixed64Field(2, 1, 2).tag(3, WIRE_VARINT).varintBig(-1n);
    const body = w.finish();
    const r = new ProtoReader(body);
    expect(r.tag(body.length)).toBe((1 << 3) | WIRE_LEN);
    expect(r.string(body.length)).toBe('name');
    r.tag(body.length);
    expect(r.fixed64(body.length)).toBe(2 * 2 ** 32 + 1);
    r.tag(body.length);
    expect(r.varintInt64(body.length)).toBe(-1n);
  });

  const malformed: [string, number[], (r: ProtoReader, end: number) => unknown][] = [
    ['a varint cut short', [0x80, 0x80], (r, end) => r.varint(end)],
    ['a varint of 11 bytes', [...new Array(10).fill(0xff), 1], (r, end) => r.varint(end)],
    ['a length past the end', [0x05, 1, 2], (r, end) => r.len(end)],
    ['a fixed64 cut short', [1, 2, 3], (r, end) => r.fixed64(end)],
    ['a fixed32 cut short', [1], (r, end) => r.fixed32(end)],
    ['an end-group tag', [0x0c], (r, end) => r.tag(end)],
    ['a two-byte tag with wire type 6', [0x86, 0x01], (r, end) => r.tag(end)],
    ['skipping past the end', [0x7f], (r, end) => r.skip(WIRE_LEN, end)],
  ];

  it.each(malformed)('throws OtlpDecodeError on %s', (_name, bytes, read) => {
    expect(() => read(new ProtoReader(Buffer.from(bytes)), bytes.length)).toThrow(OtlpDecodeError);
  });
});
