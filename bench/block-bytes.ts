import { performance } from 'node:perf_hooks';
import { blockFormatFor } from '../server/store/encoding/registry';
import { buildSearchObjects } from '../server/store/search/search-sidecar';
import { makeDataset } from './storage-data';

const TRACES = Number(process.argv[2] ?? 20_000);
const { records } = makeDataset({
  traces: TRACES,
  spansPerTrace: 10,
  seed: 4242,
  startMs: Date.UTC(2026, 0, 1),
  chosen: 0,
});
const sorted = [...records].sort((a, b) => Buffer.compare(a.traceId, b.traceId));
const raw = sorted.reduce((n, r) => n + r.data.byteLength, 0);
const spans = sorted.reduce((n, r) => n + r.spanCount, 0);
const options = {
  tenantId: 't',
  blockId: '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b2c',
  traces: sorted,
  bloomFalsePositive: 0.01,
  bloomShardSizeBytes: 100 * 1024,
};
const sum = (objects: readonly { name: string; data: Uint8Array }[]) =>
  objects.reduce((n, o) => n + o.data.byteLength, 0);
let t = performance.now();
const v1 = blockFormatFor('loupe-v1').build(options);
const v1s = buildSearchObjects(sorted)!;
const v1ms = performance.now() - t;
t = performance.now();
const v2 = blockFormatFor('loupe-v2').build(options);
const v2ms = performance.now() - t;
const line = (name: string, bytes: number, ms: number) =>
  console.log(
    `${name}: ${(bytes / spans).toFixed(1)} B/span, ${((100 * bytes) / raw).toFixed(1)}% of raw, build ${Math.round(spans / (ms / 1000))} spans/s`,
  );
console.log(`raw ${(raw / spans).toFixed(1)} B/span, ${spans} spans`);
line('v1 + sidecar', sum(v1.objects) + sum(v1s.objects), v1ms);
line('v2', sum(v2.objects), v2ms);
for (const o of v2.objects)
  if (!o.name.startsWith('bloom-'))
    console.log(`  ${o.name}: ${(o.data.byteLength / spans).toFixed(2)} B/span`);
console.log(
  `  bloom: ${(sum(v2.objects.filter((o) => o.name.startsWith('bloom-'))) / spans).toFixed(2)} B/span`,
);
