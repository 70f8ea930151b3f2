import { appendFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { traceWalCodec, type WalTraceRecord } from '../ingester/trace-wal-codec';
import { tempDataDir } from '../testing/test-config';
import { type ReplayedRecord, Wal } from './wal';

function record(i: number, tenantId = 'single-tenant'): WalTraceRecord {
  const traceId = Buffer.alloc(16);
  traceId.writeUInt32BE(i + 1, 12);
  return {
    tenantId,
    traceId,
    spanCount: i + 1,
    startMs: 1_700_000_000_000 + i,
    endMs: 1_700_000_000_500 + i,
    truncated: i % 2 === 1,
    data: Buffer.from(`trace-data-${i}`.repeat(i + 1)),
  };
}

async function replay(
  dir: string,
): Promise<{ wal: Wal<WalTraceRecord>; records: ReplayedRecord<WalTraceRecord>[] }> {
  const records: ReplayedRecord<WalTraceRecord>[] = [];
  const wal = new Wal({ dir, codec: traceWalCodec });
  await wal.open((r) => records.push(r));
  return { wal, records };
}

describe('Wal', () => {
  it('replays every acknowledged record with its fields after reopening', async () => {
    const dir = tempDataDir();
    const { wal } = await replay(dir);
    const written = [record(0), record(1, "odd'tenant(1)"), record(2)];
    await wal.append(written.slice(0, 2)).durable;
    await wal.append(written.slice(2)).durable;
    await wal.close();

    const { wal: reopened, records } = await replay(dir);
    expect(records.map((r) => r.record)).toEqual(
      written.map((w) => ({ ...w, traceId: Buffer.from(w.traceId) })),
    );
    // Locations point at the data, so queries can read it back from disk.
    expect(reopened.read(records[2].location).toString()).toBe(written[2].data.toString());
    await reopened.close();
  });

  it('reads data back from a location returned by append', async () => {
    const { wal } = await replay(tempDataDir());
    const { locations, durable } = wal.append([record(3), record(4)]);
    await durable;
    expect(wal.read(locations[1]).toString()).toBe(record(4).data.toString());
    await wal.close();
  });

  it('reads a record appended but not written yet from memory, and after its write from disk', async () => {
    const { wal } = await replay(tempDataDir());
    await wal.append([record(1)]).durable;
    // Queued behind an append in flight: neither is on disk when read.
    const first = wal.append([record(5)]);
    const second = wal.append([record(6)]);
    expect(wal.read(first.locations[0]).toString()).toBe(record(5).data.toString());
    expect(wal.read(second.locations[0]).toString()).toBe(record(6).data.toString());
    await Promise.all([first.durable, second.durable]);
    expect(wal.read(second.locations[0]).toString()).toBe(record(6).data.toString());
    await wal.close();
  });

  it('drops a torn tail but keeps every complete record before it', async () => {
    const dir = tempDataDir();
    const { wal } = await replay(dir);
    await wal.append([record(0), record(1)]).durable;
    await wal.close();
    const [segment] = readdirSync(dir);
    const path = join(dir, segment);
    const size = statSync(path).size;
    truncateSync(path, size - 3); // a crash in the middle of the last write
    appendFileSync(path, Buffer.alloc(0));

    const { wal: reopened, records } = await replay(dir);
    expect(records).toHaveLength(1);
    expect(records[0].record.data.toString()).toBe(record(0).data.toString());
    // New appends after recovery are replayed too.
    await reopened.append([record(5)]).durable;
    await reopened.close();
    const { wal: third, records: again } = await replay(dir);
    expect(again.map((r) => r.record.spanCount)).toEqual([1, 6]);
    await third.close();
  });

  it('ignores a corrupted record (bad checksum) and everything after it', async () => {
    const dir = tempDataDir();
    const { wal } = await replay(dir);
    const { locations, durable } = wal.append([record(0), record(1)]);
    await durable;
    await wal.close();
    const path = join(dir, readdirSync(dir)[0]);
    const fd = await import('node:fs/promises').then((fs) => fs.open(path, 'r+'));
    await fd.write(Buffer.from('X'), 0, 1, locations[1].offset);
    await fd.close();
    const { wal: reopened, records } = await replay(dir);
    expect(records).toHaveLength(1);
    await reopened.close();
  });

  it('deletes a sealed segment once all its records are released', async () => {
    const dir = tempDataDir();
    const wal = new Wal({ dir, codec: traceWalCodec, segmentBytes: 64 });
    await wal.open(() => {});
    const first = wal.append([record(7)]);
    await first.durable;
    const second = wal.append([record(8)]); // past 64 bytes: goes to a new segment
    await second.durable;
    expect(second.locations[0].segment).toBeGreaterThan(first.locations[0].segment);
    expect(readdirSync(dir)).toHaveLength(2);
    await wal.release(first.locations);
    expect(readdirSync(dir)).toHaveLength(1);
    // A drained current segment is sealed and deleted too; the next append starts a new one.
    await wal.release(second.locations);
    expect(readdirSync(dir)).toHaveLength(0);
    const third = wal.append([record(9)]);
    await third.durable;
    expect(third.locations[0].segment).toBeGreaterThan(second.locations[0].segment);
    expect(wal.read(third.locations[0]).toString()).toBe(record(9).data.toString());
    await wal.close();
    const { wal: reopened, records } = await replay(dir);
    expect(records.map((r) => r.record.spanCount)).toEqual([10]);
    await reopened.close();
  });

  it('group-commits concurrent appends and resolves each once durable', async () => {
    const dir = tempDataDir();
    const { wal } = await replay(dir);
    const appends = Array.from({ length: 200 }, (_, i) => wal.append([record(i % 10)]).durable);
    await Promise.all(appends);
    await wal.close();
    const { wal: reopened, records } = await replay(dir);
    expect(records).toHaveLength(200);
    await reopened.close();
  });
});
