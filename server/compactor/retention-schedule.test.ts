import { describe, expect, it } from 'vitest';
import { RetentionSchedule, type RetentionTarget } from './retention-schedule';

function target(name: string, seen: [string, number][], fail = false): RetentionTarget {
  return {
    name,
    applyRetention: async (nowMs) => {
      seen.push([name, nowMs]);
      if (fail) throw new Error(`${name} broke`);
    },
  };
}

describe('RetentionSchedule', () => {
  it('asks every store to expire its data at one instant of one clock', async () => {
    const seen: [string, number][] = [];
    let clock = 1_000;
    const schedule = new RetentionSchedule(
      [target('blocks', seen), target('logs', seen), target('metrics', seen)],
      {
        everyMs: 60_000,
        now: () => clock++,
        log: { error: () => {} },
      },
    );
    await schedule.runOnce();
    expect(seen).toEqual([
      ['blocks', 1_000],
      ['logs', 1_000],
      ['metrics', 1_000],
    ]);
  });

  it('keeps going when one store fails, and says which', async () => {
    const seen: [string, number][] = [];
    const errors: string[] = [];
    const schedule = new RetentionSchedule([target('blocks', seen, true), target('logs', seen)], {
      everyMs: 60_000,
      now: () => 5,
      log: { error: (details) => errors.push((details as { target: string }).target) },
    });
    await schedule.runOnce();
    expect(seen.map(([name]) => name)).toEqual(['blocks', 'logs']);
    expect(errors).toEqual(['blocks']);
  });

  it('does not start a second run while one is under way', async () => {
    let release!: () => void;
    let runs = 0;
    const slow: RetentionTarget = {
      name: 'blocks',
      applyRetention: () => {
        runs++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const schedule = new RetentionSchedule([slow], { everyMs: 60_000, log: { error: () => {} } });
    const first = schedule.runOnce();
    const second = schedule.runOnce();
    expect(runs).toBe(1);
    release();
    await Promise.all([first, second]);
    const third = schedule.runOnce();
    expect(runs).toBe(2);
    release();
    await third;
  });
});
