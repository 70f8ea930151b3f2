import type { Backend } from './backend/backend';
import { buildBlock, writeBlock } from './block-writer';
import type { BuildBlockOptions } from './encoding/block-format';
import { CountingBackend, loggingWrites, makeTraces, tempBackend } from './store-test-support';
import type { TraceRecord } from './types';

function options(traces: TraceRecord[]): BuildBlockOptions {
  return {
    tenantId: 'tenant-a',
    blockId: '0b3c2a9e-8f1d-4c2b-9a77-5f0e6d1c2b3a',
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 100 * 1024,
  };
}

/**
 * A backend whose writes take a while (the first one longest, as `data` does) and log when each
 * starts and ends, so the order of completions — not only of calls — can be checked.
 */
function slowWrites(inner: Backend, fail?: (key: string) => boolean) {
  return loggingWrites(inner, { fail, delayMs: (n) => (n === 0 ? 40 : 5 + ((n + 1) % 3) * 5) });
}

describe('writeBlock', () => {
  it('writes every object under <tenant>/<block>/ and meta.json last', async () => {
    const { backend, cleanup } = await tempBackend();
    try {
      const counting = new CountingBackend(backend);
      const built = buildBlock(options(makeTraces(50)));
      await writeBlock(counting, built);

      const keys = counting.calls.map((call) => call.key);
      const prefix = `tenant-a/${built.meta.blockId}/`;
      expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
      expect(keys.at(-1)).toBe(`${prefix}meta.json`);
      expect(keys).toHaveLength(built.objects.length + 1);
      const stored = JSON.parse((await backend.read(`${prefix}meta.json`))!.toString());
      expect(stored).toEqual(built.meta);
    } finally {
      await cleanup();
    }
  });

  it('writes the objects side by side, and starts meta.json only once every one of them is written', async () => {
    const { backend, cleanup } = await tempBackend();
    try {
      const slow = slowWrites(backend);
      // Small bloom shards: several objects besides data and index.
      const built = buildBlock({ ...options(makeTraces(50)), bloomShardSizeBytes: 16 });
      expect(built.objects.length).toBeGreaterThanOrEqual(4);
      await writeBlock(slow.backend, built);

      const metaKey = `tenant-a/${built.meta.blockId}/meta.json`;
      const metaStart = slow.events.findIndex((e) => e.at === 'start' && e.key === metaKey);
      const ends = slow.events.filter((e) => e.at === 'end' && e.key !== metaKey);
      expect(ends).toHaveLength(built.objects.length);
      // Every other object's write had finished (so was durable) before meta.json's began.
      for (const end of ends) expect(slow.events.indexOf(end)).toBeLessThan(metaStart);
      expect(slow.events.at(-1)).toEqual({ at: 'end', key: metaKey });
      // Side by side: every object's write began before the first one ended.
      const firstEnd = slow.events.findIndex((e) => e.at === 'end');
      expect(slow.events.slice(0, firstEnd).filter((e) => e.at === 'start')).toHaveLength(
        built.objects.length,
      );
    } finally {
      await cleanup();
    }
  });

  it('writes no meta.json when an object fails, and rejects only once the other writes have settled', async () => {
    const { backend, cleanup } = await tempBackend();
    try {
      const built = buildBlock(options(makeTraces(50)));
      const failing = built.objects[1].name;
      const slow = slowWrites(backend, (key) => key.endsWith(`/${failing}`));

      await expect(writeBlock(slow.backend, built)).rejects.toThrow(/disk full/);
      const settledAtRejection = slow.events.length;
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(slow.events).toHaveLength(settledAtRejection);
      const started = slow.events.filter((e) => e.at === 'start').map((e) => e.key);
      expect(slow.events.filter((e) => e.at !== 'start')).toHaveLength(started.length);
      expect(started.some((key) => key.endsWith('/meta.json'))).toBe(false);
      expect(await backend.read(`tenant-a/${built.meta.blockId}/meta.json`)).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});
