import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDataDir } from '../testing/test-config';
import { waitFor } from './support/clients';
import { flatten, lokiGet, lokiPushJson, nanosAgo } from './support/logs-client';
import { ensureStopped, type LoupeProcess, spawnLoupe, writeChildConfig } from './support/loupe-process';
import { removeDir } from './support/loupe-server';

/**
 * Logs durability as a user relies on it: Loupe runs as its own process, takes concurrent Loki
 * pushes, some of which become chunks and some stay in the WAL, and is killed with SIGKILL;
 * every acknowledged line is found exactly once after a restart.
 */
const PUSHES = 40;
const LINES_PER_PUSH = 50;

let running: LoupeProcess | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await ensureStopped(running);
  running = undefined;
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function pushBody(push: number, base: bigint) {
  const values = Array.from({ length: LINES_PER_PUSH }, (_, i) => {
    const n = push * LINES_PER_PUSH + i;
    return [String(base + BigInt(n) * 1000n), `line ${n} of the crash test ${'x'.repeat(40)}`];
  });
  return { streams: [{ stream: { service_name: 'crash', shard: String(push % 3) }, values }] };
}

describe('logs crash safety (a child process killed with SIGKILL)', () => {
  it('finds every acknowledged line once after a kill while pushes are in flight', async () => {
    const dataDir = tempDataDir('loupe-logs-crash-');
    dirs.push(dataDir);
    // Small chunks, so the kill finds some lines in chunks and others only in the WAL.
    const config = writeChildConfig(dataDir, {}, 'logs:\n  max_chunk_bytes: 20000\n');
    running = await spawnLoupe(config);
    const proc = running;
    const base = nanosAgo(120);

    const acked: number[] = [];
    let next = 0;
    const send = (until: number, killAfter = Number.POSITIVE_INFINITY) =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < until) {
            const push = next++;
            try {
              const res = await lokiPushJson(proc.api, pushBody(push, base));
              if (res.status !== 204) continue;
              acked.push(push);
              if (acked.length === killAfter) proc.child.kill('SIGKILL');
            } catch {
              // refused by a dying process: not acknowledged
            }
          }
        }),
      );
    // First half: wait until some of it is in chunks. Second half: killed mid-flight.
    await send(PUSHES / 2);
    const index = join(dataDir, 'blocks', '@logs', 'single-tenant', 'index');
    await waitFor(() => existsSync(index) && readdirSync(index).length > 0);
    const killAfter = Math.floor(PUSHES * 0.8);
    await send(PUSHES, killAfter);
    expect((await proc.exited).signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);

    running = await spawnLoupe(config);
    const opened = running.logs.find((l) => l.msg === 'logs store opened');
    expect(opened?.replayedPushes).toBeGreaterThan(0);
    expect(opened?.chunks).toBeGreaterThan(0);
    const res = await lokiGet(running.api, '/loki/api/v1/query_range', {
      query: '{service_name="crash"}',
      start: String(base - 1n),
      end: String(nanosAgo(0)),
      limit: '5000',
      direction: 'forward',
    });
    expect(res.status).toBe(200);
    const lines = flatten(res.json()).map((e) => Number(e.line.split(' ')[1]));
    const found = new Set(lines);
    expect(found.size).toBe(lines.length); // nothing twice
    for (const push of acked) {
      for (let i = 0; i < LINES_PER_PUSH; i++) expect(found.has(push * LINES_PER_PUSH + i)).toBe(true);
    }
  }, 60_000);
});
