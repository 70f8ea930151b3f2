import type { BlockEntry } from '../store/blocklist';
import { seededRandom } from '../store/store-test-support';
import type { BlockMeta } from '../store/types';
import { MAX_COMPACTION_RAW_BYTES, pickInputs } from './pick-inputs';

/** Which blocks a compaction takes: one window, 2–4 blocks, lowest level and smallest first, within the caps. */

const HOUR = 3_600_000;
const options = { windowMs: HOUR, maxCompactionObjects: 1000, maxBlockBytes: 10_000 };

function block(id: string, endMs: number, meta: Partial<BlockMeta> = {}): BlockEntry {
  return {
    meta: { blockId: id, endMs, totalTraces: 10, dataBytes: 100, rawBytes: 1000, ...meta } as BlockMeta,
    reader: undefined as never,
    search: undefined,
  };
}
const ids = (picked: BlockEntry[] | undefined) => picked?.map((b) => b.meta.blockId).sort();

describe('pickInputs', () => {
  it('takes the blocks of one window, never mixing windows', () => {
    const picked = pickInputs(
      [block('a', 10), block('b', 20), block('c', HOUR + 5), block('d', 30)],
      options,
    );
    expect(ids(picked)).toEqual(['a', 'b', 'd']);
  });

  it('needs two blocks in a window, and takes four at most (the smallest, lowest level first)', () => {
    expect(pickInputs([block('a', 10), block('b', HOUR + 10)], options)).toBeUndefined();
    const many = [
      block('big', 1, { dataBytes: 900 }),
      block('l1', 2, { compactionLevel: 1 }),
      ...['a', 'b', 'c', 'd'].map((id, i) => block(id, 3 + i, { dataBytes: 100 + i })),
    ];
    expect(ids(pickInputs(many, options))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps within max_compaction_objects, max_block_bytes and the in-memory raw bytes cap', () => {
    expect(
      ids(
        pickInputs(
          [block('a', 1, { totalTraces: 600 }), block('b', 2, { totalTraces: 600 }), block('c', 3)],
          options,
        ),
      ),
    ).toEqual(['a', 'c']);
    expect(
      ids(
        pickInputs(
          [block('a', 1, { dataBytes: 6000 }), block('b', 2, { dataBytes: 6000 }), block('c', 3)],
          options,
        ),
      ),
    ).toEqual(['a', 'c']);
    const half = MAX_COMPACTION_RAW_BYTES / 2 + 1;
    expect(
      pickInputs([block('a', 1, { rawBytes: half }), block('b', 2, { rawBytes: half })], options),
    ).toBeUndefined();
  });

  it('picks what a sort of the whole window picks, among thousands of blocks and when the first ones do not fit', () => {
    const random = seededRandom(7);
    /** The selector as a full sort of each window: what the one-pass look must agree with. */
    const reference = (blocks: BlockEntry[]) => {
      const windows = new Map<number, BlockEntry[]>();
      for (const b of blocks) {
        const w = Math.floor(b.meta.endMs / HOUR);
        windows.set(w, [...(windows.get(w) ?? []), b]);
      }
      let best: BlockEntry[] | undefined;
      for (const [, list] of [...windows].sort((a, b) => a[0] - b[0])) {
        const ordered = [...list].sort(
          (a, b) =>
            (a.meta.compactionLevel ?? 0) - (b.meta.compactionLevel ?? 0) ||
            a.meta.dataBytes - b.meta.dataBytes ||
            (a.meta.blockId < b.meta.blockId ? -1 : 1),
        );
        const chosen: BlockEntry[] = [];
        let traces = 0;
        for (const b of ordered) {
          if (chosen.length === 4) break;
          if (traces + b.meta.totalTraces > options.maxCompactionObjects) continue;
          chosen.push(b);
          traces += b.meta.totalTraces;
        }
        if (chosen.length >= 2 && (!best || chosen.length > best.length)) best = chosen;
      }
      return best;
    };
    for (let round = 0; round < 30; round++) {
      const count = round < 10 ? 3000 : 40 + Math.floor(random() * 200);
      const blocks = Array.from({ length: count }, (_, i) =>
        block(`b${i}`, Math.floor(random() * 3) * HOUR + 1, {
          compactionLevel: random() < 0.2 ? 1 : 0,
          dataBytes: 1 + Math.floor(random() * 50),
          // Some rounds: the smallest blocks hold too many traces to go together.
          totalTraces: round % 3 === 0 && random() < 0.97 ? 600 : 10,
        }),
      );
      expect(ids(pickInputs(blocks, { ...options, maxBlockBytes: 1e9 })), `round ${round}`).toEqual(
        ids(reference(blocks)),
      );
    }
  });
});
