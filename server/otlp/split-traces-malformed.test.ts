import { seededBytes } from '../../fixtures/hostile/corpus';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { OtlpDecodeError } from './errors';
import { ProtoWriter } from './proto-writer';
import { splitTracesByTraceId } from './split-traces';
import { ProtoReader } from './wire';

const TRACE_ID = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const SPAN_ID = Buffer.from('00f067aa0ba902b7', 'hex');

/** A request with one span whose body is written by `span` (IDs first unless told otherwise). */
function oneSpan(span: (w: ProtoWriter) => void, withIds = true): Buffer {
  const w = new ProtoWriter();
  w.openMessage(1).openMessage(2).openMessage(2);
  if (withIds) w.bytesField(1, TRACE_ID).bytesField(2, SPAN_ID);
  span(w);
  return w.closeMessage().closeMessage().closeMessage().finish();
}

function nestedArrays(depth: number): (w: ProtoWriter) => void {
  return (w) => {
    w.openMessage(9).stringField(1, 'deep').openMessage(2);
    for (let i = 0; i < depth; i++) w.openMessage(5).openMessage(1);
    for (let i = 0; i < depth; i++) w.closeMessage().closeMessage();
    w.closeMessage().closeMessage();
  };
}

/** Offsets where a top-level field ends: cutting there leaves a shorter but valid request. */
function topLevelBoundaries(request: Buffer): Set<number> {
  const r = new ProtoReader(request);
  const ends = new Set<number>([0]);
  while (r.pos < request.length) {
    r.skip(r.tag(request.length) & 7, request.length);
    ends.add(r.pos);
  }
  return ends;
}

describe('splitTracesByTraceId on malformed input', () => {
  const malformed: [string, Buffer][] = [
    ['a tag cut in the middle', Buffer.from([0x80])],
    ['field number 0', Buffer.from([0x02, 0x00])],
    ['a group start (wire type 3)', Buffer.from([0x0b, 0x0c])],
    ['wire type 7', Buffer.from([0x0f])],
    ['resource_spans sent as a varint', Buffer.from([0x08, 0x01])],
    ['a length of 2^32 at the top level', Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00])],
    ['an 11-byte varint', Buffer.from([0x08, ...new Array(10).fill(0xff), 0x01])],
    ['a name longer than its span', oneSpan((w) => w.raw(Buffer.from([0x2a, 0x7f, 0x41])))],
    ['trace_id sent as a varint', oneSpan((w) => w.varintField(1, 7).bytesField(2, SPAN_ID), false)],
    ['start time sent as a string', oneSpan((w) => w.stringField(7, '1736942400'))],
    ['an attribute sent as fixed32', oneSpan((w) => w.fixed32Field(9, 1))],
    [
      'an attribute value that is not a message',
      oneSpan((w) => w.openMessage(9).stringField(1, 'k').varintField(2, 1).closeMessage()),
    ],
    [
      'an attribute string longer than its value',
      oneSpan((w) =>
        w
          .openMessage(9)
          .stringField(1, 'k')
          .openMessage(2)
          .raw(Buffer.from([0x0a, 0x05, 0x61]))
          .closeMessage()
          .closeMessage(),
      ),
    ],
    [
      'an attribute value with a wire type 7 byte after its string',
      oneSpan((w) =>
        w
          .openMessage(9)
          .stringField(1, 'k')
          .openMessage(2)
          .stringField(1, 'v')
          .raw(Buffer.from([0x0f]))
          .closeMessage()
          .closeMessage(),
      ),
    ],
    ['a fixed64 cut short', oneSpan((w) => w.raw(Buffer.from([0x39, 1, 2, 3])))],
    ['an event whose length runs past the span', oneSpan((w) => w.raw(Buffer.from([0x5a, 0x05, 0x09])))],
    ['attribute values nested 200 deep', oneSpan(nestedArrays(200))],
    [
      'a resource with wire type 6 inside',
      (() => {
        const w = new ProtoWriter();
        w.openMessage(1)
          .openMessage(1)
          .raw(Buffer.from([0x0e]))
          .closeMessage()
          .closeMessage();
        return w.finish();
      })(),
    ],
  ];

  it.each(malformed)('refuses %s with OtlpDecodeError', (_name, body) => {
    expect(() => splitTracesByTraceId(body)).toThrow(OtlpDecodeError);
  });

  it('accepts attribute values nested a sane depth', () => {
    expect(splitTracesByTraceId(oneSpan(nestedArrays(20))).acceptedSpans).toBe(1);
  });

  it('accepts valid but unusual attribute encodings (value first, long strings, empty value)', () => {
    const body = oneSpan((w) => {
      w.openMessage(9)
        .openMessage(2)
        .stringField(1, 'x'.repeat(40_000))
        .closeMessage()
        .stringField(1, 'late.key')
        .closeMessage();
      w.openMessage(9).stringField(1, 'empty').openMessage(2).closeMessage().closeMessage();
      w.openMessage(9)
        .stringField(1, 'n')
        .openMessage(2)
        .tag(3, 0)
        .varintBig(-1n)
        .closeMessage()
        .closeMessage();
    });
    expect(splitTracesByTraceId(body).acceptedSpans).toBe(1);
  });

  it('refuses a request cut at any byte, except where a whole ResourceSpans ends', () => {
    const { requests, spanCount } = generateTraceRequests({
      traces: 2,
      spansPerTrace: 4,
      spansPerRequest: 8,
      seed: 9,
      services: 3,
    });
    const request = requests[0];
    const boundaries = topLevelBoundaries(request);
    for (let cut = 0; cut < request.length; cut++) {
      const truncated = request.subarray(0, cut);
      if (boundaries.has(cut)) {
        expect(splitTracesByTraceId(truncated).acceptedSpans).toBeLessThan(spanCount);
      } else {
        expect(() => splitTracesByTraceId(truncated), `cut at ${cut}`).toThrow(OtlpDecodeError);
      }
    }
  });

  it('refuses random bytes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const body = seededBytes(seed, 16 + (seed % 200));
      expect(() => splitTracesByTraceId(body), `seed ${seed}`).toThrow(OtlpDecodeError);
    }
  });

  it('refuses a valid request with random bytes appended', () => {
    const { requests } = generateTraceRequests({ traces: 1, spansPerTrace: 3, spansPerRequest: 3, seed: 4 });
    for (let seed = 1; seed <= 50; seed++) {
      const body = Buffer.concat([requests[0], seededBytes(seed, 40)]);
      expect(() => splitTracesByTraceId(body), `seed ${seed}`).toThrow(OtlpDecodeError);
    }
  });
});
