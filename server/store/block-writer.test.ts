import { buildBlock, writeBlock } from './block-writer';
import type { BuildBlockOptions } from './encoding/block-format';
import { CountingBackend, makeTraces, tempBackend } from './store-test-support';
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
});
