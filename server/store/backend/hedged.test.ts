import { describe, expect, it } from 'vitest';
import { hedged } from './hedged';

/** An attempt that answers `value` after `ms`, or rejects with `error`; records aborts. */
function attempts(plan: { ms: number; value?: string; error?: Error }[]) {
  const started: number[] = [];
  const aborted: number[] = [];
  const t0 = Date.now();
  const run = (signal: AbortSignal) => {
    const i = started.length;
    started.push(Date.now() - t0);
    const step = plan[i];
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => (step.error ? reject(step.error) : resolve(step.value ?? `#${i}`)),
        step.ms,
      );
      signal.addEventListener('abort', () => {
        aborted.push(i);
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    });
  };
  return { run, started, aborted };
}

describe('hedged reads', () => {
  it('asks again when the first attempt is slow, takes the first answer and aborts the other', async () => {
    const a = attempts([
      { ms: 1_000, value: 'slow' },
      { ms: 10, value: 'fast' },
    ]);
    let hedges = 0;
    const t0 = Date.now();
    const value = await hedged(a.run, { atMs: 30, upTo: 2, onHedge: () => hedges++ });
    expect(value).toBe('fast');
    expect(Date.now() - t0).toBeLessThan(500);
    expect(a.started).toHaveLength(2);
    expect(a.started[1]).toBeGreaterThanOrEqual(25);
    expect(a.aborted).toEqual([0]);
    expect(hedges).toBe(1);
  });

  it('sends nothing more when the first attempt answers in time', async () => {
    const a = attempts([{ ms: 5, value: 'first' }]);
    expect(await hedged(a.run, { atMs: 200, upTo: 3 })).toBe('first');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.started).toHaveLength(1);
  });

  it('stops at upTo attempts in all', async () => {
    const a = attempts([{ ms: 200 }, { ms: 200 }, { ms: 200 }, { ms: 200 }]);
    await hedged(a.run, { atMs: 20, upTo: 3 });
    expect(a.started).toHaveLength(3);
  });

  it("fails with an attempt's error once no other attempt is running, and waits for one that is", async () => {
    const notFound = new Error('NoSuchKey');
    await expect(hedged(attempts([{ ms: 5, error: notFound }]).run, { atMs: 50, upTo: 2 })).rejects.toBe(
      notFound,
    );
    // The first fails after the hedge started: the hedge's answer still wins.
    const a = attempts([
      { ms: 60, error: new Error('reset') },
      { ms: 80, value: 'second' },
    ]);
    expect(await hedged(a.run, { atMs: 20, upTo: 2 })).toBe('second');
  });

  it("aborts every attempt when the caller's signal aborts", async () => {
    const a = attempts([{ ms: 1_000 }, { ms: 1_000 }]);
    const caller = new AbortController();
    const read = hedged(a.run, { atMs: 10, upTo: 2, signal: caller.signal });
    await new Promise((resolve) => setTimeout(resolve, 40));
    caller.abort(new Error('client went away'));
    await expect(read).rejects.toThrow('client went away');
    expect(a.aborted.sort()).toEqual([0, 1]);
  });

  it('is a plain call when hedging is off', async () => {
    const a = attempts([{ ms: 60, value: 'only' }]);
    expect(await hedged(a.run, { atMs: 0, upTo: 2 })).toBe('only');
    expect(a.started).toHaveLength(1);
  });
});
