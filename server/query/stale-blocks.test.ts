import { describe, expect, it } from 'vitest';
import { BlockReadError, retryIfBlockGone, type StaleBlocks } from './stale-blocks';

/** A query that failed on a block deleted since the last poll runs again once, after a poll. */
function staleBlocks(gone: boolean): StaleBlocks & { refreshed: number } {
  return {
    refreshed: 0,
    isGone: async () => gone,
    async refresh() {
      this.refreshed++;
    },
  };
}

describe('retryIfBlockGone', () => {
  it('refreshes and runs again when the failed block is gone from the bucket', async () => {
    const stale = staleBlocks(true);
    let runs = 0;
    const answer = await retryIfBlockGone(stale, async () => {
      runs++;
      if (runs === 1) throw new BlockReadError('t', 'b', new Error('NoSuchKey'));
      return 'whole';
    });
    expect([answer, runs, stale.refreshed]).toEqual(['whole', 2, 1]);
  });

  it('lets the error stand when the block is still there, or the error is not a block read', async () => {
    const present = staleBlocks(false);
    await expect(
      retryIfBlockGone(present, async () => {
        throw new BlockReadError('t', 'b', new Error('checksum mismatch'));
      }),
    ).rejects.toThrow(/reading block t\/b failed: checksum mismatch/);
    const gone = staleBlocks(true);
    await expect(
      retryIfBlockGone(gone, async () => {
        throw new Error('query timed out');
      }),
    ).rejects.toThrow('query timed out');
    expect([present.refreshed, gone.refreshed]).toEqual([0, 0]);
  });

  it('runs at most twice: a second failure is the answer', async () => {
    const stale = staleBlocks(true);
    let runs = 0;
    await expect(
      retryIfBlockGone(stale, async () => {
        runs++;
        throw new BlockReadError('t', 'b', new Error('gone'));
      }),
    ).rejects.toThrow(BlockReadError);
    expect(runs).toBe(2);
  });
});
