import { readFileSync, writeFileSync } from 'node:fs';
import { tempDataDir } from '../testing/test-config';
import { blobWalCodec, RECORD_KIND_LOGS, type WalBlobRecord } from './blob-codec';
import { segmentPath } from './segments';
import { type ReplayedRecord, Wal } from './wal';

/** Segment 1 of a logs WAL as written before the WAL had its own folder (commit 9419a9b). */
const SEGMENT_FROM_BEFORE_THE_MOVE = Buffer.from('0d00000052ce34eb020461636d657b2276223a317d', 'hex');
const push: WalBlobRecord = { kind: RECORD_KIND_LOGS, tenantId: 'acme', data: Buffer.from('{"v":1}') };

describe('blobWalCodec', () => {
  it('replays a segment written before the move', async () => {
    const dir = tempDataDir();
    writeFileSync(segmentPath(dir, 1), SEGMENT_FROM_BEFORE_THE_MOVE);
    const replayed: ReplayedRecord<WalBlobRecord>[] = [];
    const wal = new Wal({ dir, codec: blobWalCodec });
    await wal.open((r) => replayed.push(r));
    expect(replayed).toEqual([{ record: push, location: { segment: 1, offset: 14, length: 7 } }]);
    await wal.close();
  });

  it('writes the same bytes as before the move', async () => {
    const dir = tempDataDir();
    const wal = new Wal({ dir, codec: blobWalCodec });
    await wal.open(() => {});
    await wal.append([push]).durable;
    await wal.close();
    expect(readFileSync(segmentPath(dir, 1))).toEqual(SEGMENT_FROM_BEFORE_THE_MOVE);
  });

  it('keeps a multi-byte tenant and empty data', () => {
    const record: WalBlobRecord = { kind: 3, tenantId: 'équipe', data: Buffer.alloc(0) };
    const payload = Buffer.from(blobWalCodec.encodeHeader(record));
    expect(blobWalCodec.decode(payload)).toEqual(record);
  });

  it('refuses a header that runs past the payload', () => {
    expect(blobWalCodec.decode(Buffer.from([2]))).toBeUndefined();
    expect(blobWalCodec.decode(Buffer.from([2, 9, 0x61]))).toBeUndefined();
  });
});
