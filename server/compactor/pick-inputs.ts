import type { BlockEntry } from '../store/blocklist';

/** Tempo's block selector takes 2–4 blocks per compaction; more inputs make one job too long. */
export const MIN_INPUT_BLOCKS = 2;
export const MAX_INPUT_BLOCKS = 4;

/**
 * Raw (uncompressed OTLP) bytes of one compaction's inputs at most. Loupe merges in memory and
 * builds on a worker, so a compaction holds about twice its inputs' raw bytes for a while; blocks
 * already near the ingester's `max_block_bytes` (500 MiB) are left as they are, and compaction
 * does what it is for: many small blocks into few.
 */
export const MAX_COMPACTION_RAW_BYTES = 512 * 1024 * 1024;

export interface PickOptions {
  /** `compaction_window`: only blocks whose newest span falls in the same window are merged. */
  windowMs: number;
  /** `max_compaction_objects`: traces in one compacted block at most. */
  maxCompactionObjects: number;
  /** `max_block_bytes`: data bytes of one compacted block at most. */
  maxBlockBytes: number;
}

/**
 * The blocks of one tenant to compact next, or undefined. Blocks are grouped by the time window
 * their newest span falls in (so a compacted block keeps a narrow time range and leaves with
 * retention at once); within the window with the most candidates, the lowest compaction level
 * first and then the smallest, as many as fit the caps (2 to 4).
 */
export function pickInputs(blocks: readonly BlockEntry[], options: PickOptions): BlockEntry[] | undefined {
  const windows = new Map<number, BlockEntry[]>();
  for (const entry of blocks) {
    const window = Math.floor(entry.meta.endMs / options.windowMs);
    const list = windows.get(window) ?? [];
    list.push(entry);
    windows.set(window, list);
  }
  let best: BlockEntry[] | undefined;
  for (const [, candidates] of [...windows].sort((a, b) => a[0] - b[0])) {
    const ordered = [...candidates].sort(
      (a, b) =>
        (a.meta.compactionLevel ?? 0) - (b.meta.compactionLevel ?? 0) ||
        a.meta.dataBytes - b.meta.dataBytes ||
        (a.meta.blockId < b.meta.blockId ? -1 : 1),
    );
    const chosen: BlockEntry[] = [];
    let traces = 0;
    let bytes = 0;
    let raw = 0;
    for (const entry of ordered) {
      if (chosen.length === MAX_INPUT_BLOCKS) break;
      if (traces + entry.meta.totalTraces > options.maxCompactionObjects) continue;
      if (bytes + entry.meta.dataBytes > options.maxBlockBytes) continue;
      if (raw + entry.meta.rawBytes > MAX_COMPACTION_RAW_BYTES) continue;
      chosen.push(entry);
      traces += entry.meta.totalTraces;
      bytes += entry.meta.dataBytes;
      raw += entry.meta.rawBytes;
    }
    if (chosen.length >= MIN_INPUT_BLOCKS && (!best || chosen.length > best.length)) best = chosen;
  }
  return best;
}
