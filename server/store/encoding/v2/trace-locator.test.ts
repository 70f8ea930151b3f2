import { describe, expect, it } from 'vitest';
import { randomTraceId, seededRandom } from '../../store-test-support';
import {
  candidatesInShard,
  ENTRIES_PER_SHARD,
  encodeLocator,
  type LocatedTrace,
  LocatorHeader,
  locatorEntries,
} from './trace-locator';

function located(count: number, seed: number): LocatedTrace[] {
  const random = seededRandom(seed);
  const out: LocatedTrace[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ traceId: randomTraceId(random), firstRow: 0, rows: 1 + (i % 37), truncated: i % 11 === 0 });
  }
  out.sort((a, b) => Buffer.compare(a.traceId, b.traceId));
  let row = 0;
  for (const trace of out) {
    trace.firstRow = row;
    row += trace.rows;
  }
  return out;
}

/** What a reader does: header, shard, candidates (and the shards beside when a prefix runs over). */
function lookup(locator: Uint8Array, traceId: Uint8Array) {
  const header = LocatorHeader.decode(
    locator.subarray(0, LocatorHeader.bytesFor(LocatorHeader.shardsIn(locator))),
  );
  const shard = header.shardFor(traceId);
  if (shard < 0) return [];
  const scan = (s: number) => {
    const { offset, length } = header.shardRange(s);
    return candidatesInShard(locator.subarray(offset, offset + length), traceId);
  };
  const first = scan(shard);
  const out = [...first.ranges];
  let found = first;
  for (let s = shard - 1; found.startsAtFirst && s >= 0; s--) {
    found = scan(s);
    out.push(...found.ranges);
  }
  found = first;
  for (let s = shard + 1; found.runsToEnd && s < header.shards; s++) {
    found = scan(s);
    out.push(...found.ranges);
  }
  return out;
}

describe('trace locator', () => {
  it('finds every trace of several shards at its rows, with its truncated flag', () => {
    const traces = located(3 * ENTRIES_PER_SHARD + 17, 3);
    const locator = encodeLocator(traces);
    expect(LocatorHeader.decode(locator).shards).toBe(4);
    for (const trace of traces) {
      expect(lookup(locator, trace.traceId)).toEqual([
        { firstRow: trace.firstRow, rows: trace.rows, truncated: trace.truncated, raw: false },
      ]);
    }
    expect([...locatorEntries(locator)].map((e) => e.firstRow)).toEqual(traces.map((t) => t.firstRow));
  });

  it('finds nothing for IDs it does not hold, before the first and after the last', () => {
    const traces = located(5000, 4);
    const locator = encodeLocator(traces);
    const random = seededRandom(77);
    for (let i = 0; i < 500; i++) expect(lookup(locator, randomTraceId(random))).toEqual([]);
    expect(lookup(locator, new Uint8Array(16))).toEqual([]);
    expect(lookup(locator, new Uint8Array(16).fill(255))).toEqual([]);
  });

  it('gives every candidate of a shared 8-byte prefix, across a shard boundary', () => {
    const traces = located(2 * ENTRIES_PER_SHARD, 5);
    // Three traces share the prefix of the entry at the shard boundary: one before it, two after.
    const at = ENTRIES_PER_SHARD;
    const prefix = traces[at].traceId.subarray(0, 8);
    for (const i of [at - 1, at + 1]) {
      const id = new Uint8Array(traces[i].traceId);
      id.set(prefix, 0);
      traces[i] = { ...traces[i], traceId: id };
    }
    traces.sort((a, b) => Buffer.compare(a.traceId, b.traceId));
    const locator = encodeLocator(traces);
    const wanted = traces.filter((t) => Buffer.compare(t.traceId.subarray(0, 8), prefix) === 0);
    expect(wanted).toHaveLength(3);
    const found = lookup(locator, wanted[0].traceId);
    const rows = (xs: { firstRow: number }[]) => xs.map((x) => x.firstRow).sort((a, b) => a - b);
    expect(rows(found)).toEqual(rows(wanted));
  });

  it('refuses unsorted entries and bytes that are not a locator', () => {
    const traces = located(10, 6);
    expect(() => encodeLocator([traces[1], traces[0]])).toThrow(/sorted/);
    expect(() => LocatorHeader.decode(new Uint8Array(32))).toThrow(/magic/);
  });
});
