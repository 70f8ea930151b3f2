import { describe, expect, it } from 'vitest';
import { decodeUnflushedTraces, encodeUnflushedTraces, UnflushedWireError } from './unflushed-wire';

describe('unflushed traces on the wire', () => {
  const answer = {
    instance: 'i-1',
    blocks: ['b-1', 'b-2'],
    traces: new Map([
      ['aa'.repeat(16), { parts: [Buffer.from('first part'), Buffer.from('')], truncated: false }],
      ['bb'.repeat(16), { parts: [Buffer.from([0, 1, 2, 255])], truncated: true }],
    ]),
  };

  it('comes back as it was sent: parts byte for byte and in order, the truncated flag, blocks and instance', () => {
    const decoded = decodeUnflushedTraces(encodeUnflushedTraces(answer));
    expect(decoded.instance).toBe('i-1');
    expect(decoded.blocks).toEqual(['b-1', 'b-2']);
    expect([...decoded.traces.keys()]).toEqual(['aa'.repeat(16), 'bb'.repeat(16)]);
    const a = decoded.traces.get('aa'.repeat(16));
    expect(a?.parts.map((p) => Buffer.from(p).toString())).toEqual(['first part', '']);
    expect(a?.truncated).toBe(false);
    expect([...(decoded.traces.get('bb'.repeat(16))?.parts[0] ?? [])]).toEqual([0, 1, 2, 255]);
    expect(decoded.traces.get('bb'.repeat(16))?.truncated).toBe(true);
  });

  it('refuses an answer cut short or with bytes left over, rather than returning partial spans', () => {
    const bytes = encodeUnflushedTraces(answer);
    expect(() => decodeUnflushedTraces(bytes.subarray(0, bytes.length - 1))).toThrow(UnflushedWireError);
    expect(() => decodeUnflushedTraces(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/too many/);
  });
});
