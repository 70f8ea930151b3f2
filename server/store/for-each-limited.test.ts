import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { forEachLimited } from './for-each-limited';

describe('forEachLimited', () => {
  it('runs every item, at most `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++running);
      await delay(5);
      running--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, and throws the first error once the others have settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = forEachLimited([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await delay(n === 0 ? 5 : 30);
      settled.push(n);
      if (n <= 1) throw new Error(`failed ${n}`);
    });
    await expect(run).rejects.toThrow('failed 0');
    // 0 fails while 1 still runs: no worker starts another item, and the error waits for 1.
    expect(started).toEqual([0, 1]);
    expect(settled.sort()).toEqual([0, 1]);
  });
});
