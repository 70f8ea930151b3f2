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
    // Nearly always the first few in order fit the caps: those are found in one pass, and the
    // whole window is sorted only when they do not (a pick is made per compaction, and a window
    // can hold thousands of small blocks).
    let chosen = chooseIn(smallest(candidates, FIRST_LOOK), options);
    if (chosen.length < MAX_INPUT_BLOCKS && candidates.length > FIRST_LOOK) {
      chosen = chooseIn([...candidates].sort(selectionOrder), options);
    }
    if (chosen.length >= MIN_INPUT_BLOCKS && (!best || chosen.length > best.length)) best = chosen;
  }
  return best;
}

/** Candidates looked at before sorting a whole window. */
const FIRST_LOOK = 32;

/** Lowest compaction level first, then the smallest; block ID for a stable order. */
function selectionOrder(a: BlockEntry, b: BlockEntry): number {
  return (
    (a.meta.compactionLevel ?? 0) - (b.meta.compactionLevel ?? 0) ||
    a.meta.dataBytes - b.meta.dataBytes ||
    (a.meta.blockId < b.meta.blockId ? -1 : 1)
  );
}

/** The first `count` of `entries` in `selectionOrder`, in that order (a bounded insertion). */
function smallest(entries: readonly BlockEntry[], count: number): BlockEntry[] {
  const out: BlockEntry[] = [];
  for (const entry of entries) {
    if (out.length === count && selectionOrder(entry, out[count - 1]) >= 0) continue;
    let at = out.length;
    while (at > 0 && selectionOrder(entry, out[at - 1]) < 0) at--;
    out.splice(at, 0, entry);
    if (out.length > count) out.pop();
  }
  return out;
}

/** Blocks taken in order while they fit the caps, up to `MAX_INPUT_BLOCKS`. */
function chooseIn(ordered: readonly BlockEntry[], options: PickOptions): BlockEntry[] {
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
  return chosen;
}
