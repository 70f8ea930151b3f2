import { closeSync, openSync, readSync } from 'node:fs';
import { segmentPath, type WalLocation } from './segments';

/**
 * Reads records' data back from the segments of one WAL directory by location, keeping one
 * descriptor per segment open. Reads are synchronous `pread`s: they hit the page cache in
 * practice, and both callers (a trace lookup on the main thread, the block-builder worker) want
 * the bytes at once.
 */
export class SegmentReader {
  private readonly fds = new Map<number, number>();

  constructor(private readonly dir: string) {}

  /** The `length` bytes at `offset` of the segment; throws if the segment is shorter. */
  read(location: WalLocation): Buffer {
    const buf = Buffer.allocUnsafe(location.length);
    if (location.length === 0) return buf;
    const n = readSync(this.fd(location.segment), buf, 0, location.length, location.offset);
    if (n !== location.length) throw new Error(`short WAL read in segment ${location.segment}`);
    return buf;
  }

  /**
   * Stops reading `segment` (deleted or about to be). Its descriptor closes after `delayMs`, so an
   * unlinked segment stays readable through it meanwhile; a later read opens the file afresh.
   */
  closeSegment(segment: number, delayMs = 0): void {
    const fd = this.fds.get(segment);
    if (fd === undefined) return;
    this.fds.delete(segment);
    if (delayMs > 0) setTimeout(() => closeSync(fd), delayMs).unref();
    else closeSync(fd);
  }

  /** Closes every descriptor now. */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private fd(segment: number): number {
    let fd = this.fds.get(segment);
    if (fd === undefined) {
      fd = openSync(segmentPath(this.dir, segment), 'r');
      this.fds.set(segment, fd);
    }
    return fd;
  }
}
