import { readFileSync, writeFileSync } from 'node:fs';
import { tempDataDir } from '../testing/test-config';
import { segmentPath } from '../wal/segments';
import { type ReplayedRecord, Wal } from '../wal/wal';
import { traceWalCodec, type WalTraceRecord } from './trace-wal-codec';

/**
 * Segment 1 of a trace WAL as written before the WAL had its own folder (commit 9419a9b): a
 * fragment of 2 spans, then an empty "truncated" marker for the same trace. Its bytes must keep
 * replaying, and new appends must keep writing them.
 */
const SEGMENT_FROM_BEFORE_THE_MOVE = Buffer.from(
  '300000001e1cf54201000461636d650102030405060708090a0b0c0d0e0f100200000000008056febc784200a08f56febc7842' +
    '7370616e732b0000003b36006d01010461636d650102030405060708090a0b0c0d0e0f100000000000008056febc784200a0' +
    '8f56febc7842',
  'hex',
);
const traceId = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
const fragment: WalTraceRecord = {
  tenantId: 'acme',
  traceId,
  spanCount: 2,
  startMs: 1_700_000_000_000,
  endMs: 1_700_000_000_250,
  truncated: false,
  data: Buffer.from('spans'),
};
const marker: WalTraceRecord = { ...fragment, spanCount: 0, truncated: true, data: Buffer.alloc(0) };

describe('traceWalCodec', () => {
  it('replays a segment written before the move, with the same records and locations', async () => {
    const dir = tempDataDir();
    const replayed: ReplayedRecord<WalTraceRecord>[] = [];
    const wal = new Wal({ dir, codec: traceWalCodec });
    await wal.open(() => {});
    await wal.close();
    writeFileSync(segmentPath(dir, 1), SEGMENT_FROM_BEFORE_THE_MOVE);

    const reopened = new Wal({ dir, codec: traceWalCodec });
    await reopened.open((r) => replayed.push(r));
    expect(replayed.map((r) => r.record)).toEqual([fragment, marker]);
    expect(replayed.map((r) => r.location)).toEqual([
      { segment: 1, offset: 51, length: 5 },
      { segment: 1, offset: 107, length: 0 },
    ]);
    expect(reopened.read(replayed[0].location).toString()).toBe('spans');
    await reopened.close();
  });

  it('writes the same bytes as before the move', async () => {
    const dir = tempDataDir();
    const wal = new Wal({ dir, codec: traceWalCodec });
    await wal.open(() => {});
    const { locations, durable } = wal.append([fragment, marker]);
    await durable;
    await wal.close();
    expect(readFileSync(segmentPath(dir, 1))).toEqual(SEGMENT_FROM_BEFORE_THE_MOVE);
    expect(locations).toEqual([
      { segment: 1, offset: 51, length: 5 },
      { segment: 1, offset: 107, length: 0 },
    ]);
  });

  it('refuses a payload of another record kind', () => {
    const payload = Buffer.concat([traceWalCodec.encodeHeader(fragment), fragment.data]);
    payload[0] = 2;
    expect(traceWalCodec.decode(payload)).toBeUndefined();
    expect(traceWalCodec.decode(payload.subarray(0, 10))).toBeUndefined();
  });

  it('replays sampling decisions between fragments, each with its policy, and empty data', async () => {
    const dir = tempDataDir();
    const wal = new Wal({ dir, codec: traceWalCodec });
    await wal.open(() => {});
    const kept: WalTraceRecord = {
      ...marker,
      truncated: false,
      decision: { keep: true, policy: 'errors and slow ✓', reason: 'sampled' },
    };
    const dropped: WalTraceRecord = {
      ...kept,
      decision: { keep: false, policy: 'health checks', reason: 'dropped' },
    };
    const { durable } = wal.append([fragment, kept, fragment, dropped]);
    await durable;
    await wal.close();
    const replayed: ReplayedRecord<WalTraceRecord>[] = [];
    const reopened = new Wal({ dir, codec: traceWalCodec });
    await reopened.open((r) => replayed.push(r));
    expect(replayed.map((r) => r.record)).toEqual([fragment, kept, fragment, dropped]);
    expect(replayed[1].location.length).toBe(0);
    await reopened.close();
  });

  it('cuts a policy name past 255 bytes rather than failing the decision record', () => {
    const long: WalTraceRecord = {
      ...marker,
      decision: { keep: false, policy: 'p'.repeat(300), reason: 'inverted-not-sampled' },
    };
    const decoded = traceWalCodec.decode(Buffer.from(traceWalCodec.encodeHeader(long)));
    expect(decoded?.decision).toEqual({
      keep: false,
      policy: 'p'.repeat(255),
      reason: 'inverted-not-sampled',
    });
    expect(decoded?.data.length).toBe(0);
  });
});
