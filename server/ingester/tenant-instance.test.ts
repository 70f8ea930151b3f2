import { type AppendedFragment, TenantInstance } from './tenant-instance';

function fragment(key: string, bytes: number, segment = 1, offset = 0): AppendedFragment {
  return {
    key,
    traceId: Buffer.from(key, 'hex'),
    data: Buffer.alloc(bytes, 1),
    spanCount: 2,
    startMs: 1000 + offset,
    endMs: 2000 + offset,
    truncated: false,
    location: { segment, offset, length: bytes },
  };
}

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('TenantInstance', () => {
  it('keeps a trace live while it receives spans and cuts it into the head block once idle', () => {
    const instance = new TenantInstance('t', 0);
    instance.append(fragment(A, 10), 0);
    instance.append(fragment(B, 20), 0);
    instance.append(fragment(A, 5, 1, 10), 900);
    expect(instance.cutIdleTraces(500)).toBe(1); // B idle since 0, A appended at 900
    expect([...instance.live.keys()]).toEqual([A]);
    expect(instance.head.traces.get(B)?.bytes).toBe(20);
    expect(instance.head.bytes).toBe(20);
    expect(instance.liveBytes).toBe(15); // A's two fragments, still live
  });

  it('with spans kept out of memory (tail sampling), reads live traces from their WAL locations', () => {
    const instance = new TenantInstance('t', 0, false);
    instance.append(fragment(A, 10), 0);
    instance.append(fragment(A, 5, 1, 10), 100);
    expect(instance.live.get(A)?.fragments).toEqual([]);
    expect(instance.unflushedParts(A)).toEqual({
      walLocations: [
        { segment: 1, offset: 0, length: 10 },
        { segment: 1, offset: 10, length: 5 },
      ],
      inMemory: [],
      truncated: false,
    });
  });

  it('merges late spans of a trace already in the head block', () => {
    const instance = new TenantInstance('t', 0);
    instance.append(fragment(A, 10), 0);
    instance.cutIdleTraces(undefined);
    instance.append(fragment(A, 7, 2, 5), 100);
    instance.cutIdleTraces(undefined);
    const head = instance.head.traces.get(A)!;
    expect(head.locations).toHaveLength(2);
    expect(head.spanCount).toBe(4);
    expect(head.endMs).toBe(2005);
    expect(instance.bytesHeld(A)).toBe(17);
  });

  it('declares the head block full by size or by age', () => {
    const instance = new TenantInstance('t', 0);
    expect(instance.headIsFull(10_000, 1, 1)).toBe(false); // empty heads are never cut
    instance.append(fragment(A, 100), 0);
    instance.cutIdleTraces(undefined);
    expect(instance.headIsFull(10, 100, 60_000)).toBe(true);
    expect(instance.headIsFull(10, 1000, 60_000)).toBe(false);
    expect(instance.headIsFull(60_000, 1000, 60_000)).toBe(true);
  });

  it('finds a trace across a flushing block, the head and live state, oldest first', () => {
    const instance = new TenantInstance('t', 0);
    instance.append(fragment(A, 10, 1, 0), 0);
    instance.cutIdleTraces(undefined);
    instance.cutHeadBlock('block-1', 0);
    instance.append(fragment(A, 11, 2, 0), 1);
    instance.cutIdleTraces(undefined);
    const live = fragment(A, 12, 3, 0);
    instance.append(live, 2);
    const parts = instance.unflushedParts(A)!;
    expect(parts.walLocations.map((l) => l.segment)).toEqual([1, 2]);
    expect(parts.inMemory).toEqual([live.data]);
    expect(instance.bytesHeld(A)).toBe(33);
    expect(instance.unflushedParts(B)).toBeUndefined();
  });
});

describe('TenantInstance cutting at max_block_bytes', () => {
  it('stops filling the head block once it reaches the size limit', () => {
    const instance = new TenantInstance('t', 0);
    for (let i = 0; i < 10; i++) instance.append(fragment(i.toString(16).padStart(32, '0'), 100), 0);
    expect(instance.cutIdleTraces(undefined, 250)).toBe(3);
    expect(instance.head.bytes).toBe(300);
    expect(instance.live.size).toBe(7);
  });
});
