import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../promql/evaluator';
import { parsePromql } from '../promql/parser';
import { QueryCancelledError, QueryDeadline, QueryTimeoutError } from './deadline';

/** Busy work in `spend`-sized units until the deadline stops it; returns how many pauses it took. */
async function busyLoop(deadline: QueryDeadline, maxMs: number): Promise<number> {
  let pauses = 0;
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    if (deadline.spend()) {
      pauses++;
      await deadline.pause();
    }
  }
  return pauses;
}

describe('QueryDeadline', () => {
  it('stops a long loop at its deadline with a message that says what to do', async () => {
    const deadline = new QueryDeadline(50);
    const error = await busyLoop(deadline, 5_000).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).message).toMatch(/timed out after 50ms \(query_timeout\): narrow/);
    expect((error as QueryTimeoutError).statusCode).toBe(504);
  });

  it('lets timers and I/O run while a loop works: the loop pauses every slice', async () => {
    const deadline = new QueryDeadline(10_000, undefined, 10);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const pauses = await busyLoop(deadline, 200);
      expect(pauses).toBeGreaterThanOrEqual(5);
      expect(ticks).toBeGreaterThanOrEqual(5);
    } finally {
      clearInterval(timer);
    }
  });

  it('stops at the next pause once the client has gone', async () => {
    const controller = new AbortController();
    const deadline = new QueryDeadline(10_000, controller.signal, 5);
    const running = busyLoop(deadline, 5_000).catch((err: unknown) => err);
    await sleep(20);
    controller.abort();
    expect(await running).toBeInstanceOf(QueryCancelledError);
  });

  describe('within', () => {
    const never = () => new Promise<never>(() => undefined);

    it("answers with the work's value, or its error, when it ends in time", async () => {
      const deadline = new QueryDeadline(1_000);
      expect(await deadline.within(sleep(10).then(() => 'done'))).toBe('done');
      const failure = new Error('read failed');
      await expect(deadline.within(Promise.reject(failure))).rejects.toBe(failure);
    });

    it('fails at the deadline while the work still waits (a read that never answers)', async () => {
      const began = performance.now();
      const error = await new QueryDeadline(80).within(never()).catch((err: unknown) => err);
      const took = performance.now() - began;
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect((error as QueryTimeoutError).message).toMatch(/timed out after 80ms \(query_timeout\)/);
      expect(took).toBeGreaterThanOrEqual(75);
      expect(took).toBeLessThan(1_000);
    });

    it('counts from when the query began, not from when it is called', async () => {
      const deadline = new QueryDeadline(100);
      await sleep(80);
      const began = performance.now();
      await expect(deadline.within(never())).rejects.toBeInstanceOf(QueryTimeoutError);
      expect(performance.now() - began).toBeLessThan(80);
    });

    it('fails as soon as the client goes, or at once if it has gone already', async () => {
      const controller = new AbortController();
      const waiting = new QueryDeadline(10_000, controller.signal)
        .within(never())
        .catch((err: unknown) => err);
      await sleep(10);
      controller.abort();
      expect(await waiting).toBeInstanceOf(QueryCancelledError);
      await expect(new QueryDeadline(10_000, AbortSignal.abort()).within(never())).rejects.toBeInstanceOf(
        QueryCancelledError,
      );
    });

    it('drops a late outcome of the work quietly', async () => {
      let fail: (err: Error) => void = () => undefined;
      const work = new Promise<never>((_, reject) => {
        fail = reject;
      });
      await expect(new QueryDeadline(20).within(work)).rejects.toBeInstanceOf(QueryTimeoutError);
      // A rejection nobody handled would fail the run (vitest reports unhandled rejections).
      fail(new Error('the read ended after the deadline'));
      await sleep(10);
    });

    it('unbounded hands the work back as it is', () => {
      const work = sleep(1);
      expect(QueryDeadline.unbounded().within(work)).toBe(work);
    });
  });

  it('inChunks runs every item once, in order, pausing between chunks and counting extra units', async () => {
    const deadline = new QueryDeadline(10_000, undefined, 2);
    const seen: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await deadline.inChunks(
        20_000,
        (from, to) => {
          const started = performance.now();
          for (let i = from; i < to; i++) seen.push(i);
          while (performance.now() - started < 1); // a millisecond of work per chunk
          return 5000; // more work than one unit an item: the next chunk may pause
        },
        1000,
      );
    } finally {
      clearInterval(timer);
    }
    expect(seen).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(ticks).toBeGreaterThan(2);
    const error = await new QueryDeadline(5, undefined, 1)
      .inChunks(1_000_000, () => {
        const started = performance.now();
        while (performance.now() - started < 2);
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QueryTimeoutError);
  });

  it('unbounded never pauses or times out', async () => {
    expect(await busyLoop(QueryDeadline.unbounded(), 30)).toBe(0);
  });

  it('a PromQL range query stops at its deadline instead of evaluating every step', async () => {
    const source = { select: async () => [] };
    const expr = parsePromql('sum(rate(x[5m])) + 1');
    const error = await new Evaluator(source)
      .range(expr, 0, 1e12, 1, new QueryDeadline(20, undefined, 5))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QueryTimeoutError);
  });
});
