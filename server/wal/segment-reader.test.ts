import { rmSync } from 'node:fs';
import { tempDataDir } from '../testing/test-config';
import { blobWalCodec } from './blob-codec';
import { SegmentReader } from './segment-reader';
import { segmentPath } from './segments';
import { Wal } from './wal';

async function walWithTwoSegments(dir: string) {
  // 32-byte segments: every append after the first starts a new segment.
  const wal = new Wal({ dir, codec: blobWalCodec, segmentBytes: 32 });
  await wal.open(() => {});
  const first = wal.append([{ kind: 2, tenantId: 't', data: Buffer.from('first record, segment one') }]);
  const second = wal.append([{ kind: 2, tenantId: 't', data: Buffer.from('second') }]);
  await Promise.all([first.durable, second.durable]);
  await wal.close();
  return [first.locations[0], second.locations[0]];
}

describe('SegmentReader', () => {
  it('reads the data at locations across segments, by segment number alone', async () => {
    const dir = tempDataDir();
    const [first, second] = await walWithTwoSegments(dir);
    expect(second.segment).toBeGreaterThan(first.segment);
    const reader = new SegmentReader(dir);
    expect(reader.read(second).toString()).toBe('second');
    expect(reader.read(first).toString()).toBe('first record, segment one');
    expect(reader.read({ ...first, offset: first.offset + 6, length: 6 }).toString()).toBe('record');
    reader.close();
  });

  it('refuses a read past the end of a segment', async () => {
    const dir = tempDataDir();
    const [first] = await walWithTwoSegments(dir);
    const reader = new SegmentReader(dir);
    expect(() => reader.read({ ...first, length: 1_000 })).toThrow(/short WAL read/);
    reader.close();
  });

  it('keeps reading an unlinked segment until it is closed, then opens it afresh', async () => {
    const dir = tempDataDir();
    const [first] = await walWithTwoSegments(dir);
    const reader = new SegmentReader(dir);
    expect(reader.read(first).length).toBe(first.length);
    rmSync(segmentPath(dir, 1));
    expect(reader.read(first).toString()).toBe('first record, segment one');
    reader.closeSegment(first.segment);
    expect(() => reader.read(first)).toThrow(/ENOENT/);
    reader.close();
  });
});
