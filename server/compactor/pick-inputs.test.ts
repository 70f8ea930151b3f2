import type { BlockEntry } from '../store/blocklist';
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
});
