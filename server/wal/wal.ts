import { type FileHandle, mkdir, open, readFile, truncate, unlink } from 'node:fs/promises';
import type { WalCodec, WalRecord } from './codec';
import { encodeFrame, FRAME_HEADER_BYTES, readFrame } from './frame';
import { SegmentReader } from './segment-reader';
import { listSegments, segmentPath, type WalLocation } from './segments';

/** An unlinked segment stays readable through its open descriptor for this long, for queries in flight. */
const CLOSE_GRACE_MS = 30_000;

export interface WalOptions<R extends WalRecord> {
  dir: string;
  /** How records become payloads; each WAL directory holds one kind of record. */
  codec: WalCodec<R>;
  /** A segment is sealed and a new one started past this size. */
  segmentBytes?: number;
}

/** A frame appended and not yet written, and where its record's data lies in its segment. */
interface PendingFrame {
  segment: number;
  frame: Buffer;
  dataOffset: number;
  data: Uint8Array;
}

export interface ReplayedRecord<R extends WalRecord> {
  record: R;
  location: WalLocation;
}

/**
 * Write-ahead log of records (trace fragments, log batches, samples) in numbered segments, one
 * frame per record (`frame.ts`). Appends are group-committed: every record appended while a
 * write+fdatasync is in flight goes out in the next one, and each `append` resolves only once its
 * bytes are durable. Segments are deleted once every record in them has been released (is safe
 * elsewhere: a block, a chunk).
 */
export class Wal<R extends WalRecord> {
  private readonly dir: string;
  private readonly codec: WalCodec<R>;
  private readonly segmentBytes: number;
  private readonly reader: SegmentReader;
  private current = 0;
  private handle: FileHandle | undefined;
  private handleSegment = -1;
  private nextOffset = 0;
  private pending: PendingFrame[] = [];
  /** The batch the flush loop is writing now: like `pending`, readable from memory until written. */
  private writing: PendingFrame[] = [];
  /** Bytes written (not necessarily synced) to each segment appended to since start. */
  private readonly writtenBytes = new Map<number, number>();
  private pendingWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private readonly liveRecords = new Map<number, number>();
  private readonly segmentSizes = new Map<number, number>();
  private closed = false;

  constructor(opts: WalOptions<R>) {
    this.dir = opts.dir;
    this.codec = opts.codec;
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.reader = new SegmentReader(opts.dir);
  }

  /** Reads every intact record of every segment, truncating a torn tail, then opens a fresh segment. */
  async open(
    onRecord: (replayed: ReplayedRecord<R>) => void,
  ): Promise<{ records: number; segments: number }> {
    await mkdir(this.dir, { recursive: true });
    const segments = await listSegments(this.dir);
    let records = 0;
    for (const segment of segments) {
      const path = segmentPath(this.dir, segment);
      const buf = await readFile(path);
      let offset = 0;
      let count = 0;
      for (;;) {
        const frame = readFrame(buf, offset);
        const record = frame && this.codec.decode(frame.payload);
        if (!frame || !record) break;
        // The codec's `data` is the payload's tail (see WalCodec), so its offset follows from its length.
        const dataOffset = offset + FRAME_HEADER_BYTES + frame.payload.length - record.data.length;
        onRecord({ record, location: { segment, offset: dataOffset, length: record.data.length } });
        offset += frame.frameLength;
        count++;
      }
      if (offset < buf.length) await truncate(path, offset);
      if (count === 0) {
        await unlink(path);
        continue;
      }
      this.liveRecords.set(segment, count);
      this.segmentSizes.set(segment, offset);
      records += count;
    }
    this.current = (segments.at(-1) ?? 0) + 1;
    return { records, segments: this.liveRecords.size };
  }

  /**
   * Queues records for the next group commit. Locations are known at once (so the caller can
   * index them synchronously); the promise resolves when they are durable.
   */
  append(records: R[]): { locations: WalLocation[]; durable: Promise<void> } {
    if (this.closed) throw new Error('WAL is closed');
    if (this.nextOffset >= this.segmentBytes) {
      // Seal the segment: later frames go to the next one (the flush loop switches files).
      this.current++;
      this.nextOffset = 0;
    }
    const locations: WalLocation[] = [];
    for (const record of records) {
      const { frame, dataOffset } = encodeFrame(this.codec.encodeHeader(record), record.data);
      const location = {
        segment: this.current,
        offset: this.nextOffset + dataOffset,
        length: record.data.length,
      };
      locations.push(location);
      this.pending.push({ segment: this.current, frame, dataOffset: location.offset, data: record.data });
      if (!this.writtenBytes.has(this.current)) this.writtenBytes.set(this.current, 0);
      this.nextOffset += frame.length;
    }
    this.liveRecords.set(this.current, (this.liveRecords.get(this.current) ?? 0) + records.length);
    this.segmentSizes.set(this.current, this.nextOffset);
    const durable = new Promise<void>((resolve, reject) => this.pendingWaiters.push({ resolve, reject }));
    this.scheduleFlush();
    return { locations, durable };
  }

  /**
   * Reads a record's data back (for queries of traces not yet in a block). A record appended but
   * not yet written is read from memory: the caller may index a record before it is durable.
   */
  read(location: WalLocation): Buffer {
    const written = this.writtenBytes.get(location.segment);
    if (written !== undefined && location.offset + location.length > written) {
      const frame =
        this.writing.find((f) => f.segment === location.segment && f.dataOffset === location.offset) ??
        this.pending.find((f) => f.segment === location.segment && f.dataOffset === location.offset);
      if (frame) return Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    }
    return this.reader.read(location);
  }

  /** Marks records as safely stored elsewhere; segments with none left (and not being written) are deleted. */
  async release(locations: readonly WalLocation[]): Promise<void> {
    const touched = new Set<number>();
    for (const { segment } of locations) {
      this.liveRecords.set(segment, (this.liveRecords.get(segment) ?? 0) - 1);
      touched.add(segment);
    }
    for (const segment of touched) await this.deleteIfDrained(segment);
  }

  /** Whether a segment is still on disk (not yet deleted as drained). */
  hasSegment(segment: number): boolean {
    return this.segmentSizes.has(segment);
  }

  /** Bytes of all segments on disk, and how many segments exist. */
  size(): { bytes: number; segments: number } {
    let bytes = 0;
    for (const size of this.segmentSizes.values()) bytes += size;
    return { bytes, segments: this.segmentSizes.size };
  }

  async close(): Promise<void> {
    await this.flushNow();
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
    this.handleSegment = -1;
    this.reader.close();
  }

  /** Waits for everything appended so far to be durable. */
  async flushNow(): Promise<void> {
    while (this.flushing || this.pending.length > 0) {
      if (!this.flushing) this.scheduleFlush();
      await this.flushing;
    }
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.scheduleFlush();
    });
  }

  /** Writes queued frames segment by segment, fdatasyncs, then resolves their appends. */
  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      const waiters = this.pendingWaiters;
      this.writing = batch;
      this.pending = [];
      this.pendingWaiters = [];
      const sealed: number[] = [];
      try {
        let i = 0;
        while (i < batch.length) {
          const segment = batch[i].segment;
          const frames: Buffer[] = [];
          while (i < batch.length && batch[i].segment === segment) frames.push(batch[i++].frame);
          if (this.handleSegment !== segment) {
            if (this.handle) {
              await this.handle.datasync();
              await this.handle.close();
              sealed.push(this.handleSegment);
            }
            this.handle = await open(segmentPath(this.dir, segment), 'a');
            this.handleSegment = segment;
          }
          const chunk = frames.length === 1 ? frames[0] : Buffer.concat(frames);
          await this.handle!.write(chunk, 0, chunk.length);
          this.writtenBytes.set(segment, (this.writtenBytes.get(segment) ?? 0) + chunk.length);
        }
        await this.handle!.datasync();
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err as Error);
      }
      this.writing = [];
      for (const segment of sealed) await this.deleteIfDrained(segment);
    }
  }

  /**
   * Deletes a segment none of whose records is unflushed. A drained current segment is sealed
   * first (the next append starts a new one), so an idle WAL does not replay flushed data.
   */
  private async deleteIfDrained(segment: number): Promise<void> {
    if ((this.liveRecords.get(segment) ?? 0) > 0 || !this.segmentSizes.has(segment)) return;
    if (segment === this.current || segment === this.handleSegment) {
      if (this.pending.length > 0 || this.flushing) return;
      if (segment === this.current) {
        this.current++;
        this.nextOffset = 0;
      }
      if (segment === this.handleSegment) {
        const handle = this.handle;
        this.handle = undefined;
        this.handleSegment = -1;
        await handle?.close();
      }
    }
    this.liveRecords.delete(segment);
    this.segmentSizes.delete(segment);
    this.writtenBytes.delete(segment);
    await unlink(segmentPath(this.dir, segment)).catch(() => {});
    this.reader.closeSegment(segment, CLOSE_GRACE_MS);
  }
}
