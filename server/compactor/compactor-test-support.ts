import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { forEachSpan } from '../otlp/span-visitor';
import { splitTracesByTraceId } from '../otlp/split-traces';
import type { Backend } from '../store/backend/backend';
import { buildBlock, writeBlock } from '../store/block-writer';
import type { TraceRecord } from '../store/types';
import { Compactor } from './compactor';
import type { CompactorConfig, CompactorDeps } from './compactor-deps';

/** Helpers shared by the compactor's tests. */

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
export const TEST_COMPACTOR_CONFIG: CompactorConfig = {
  windowMs: HOUR,
  maxCompactionObjects: 1_000_000,
  maxBlockBytes: 1 << 30,
  compactedBlockRetentionMs: HOUR,
};

/**
 * A compactor with the tests' settings: `TEST_COMPACTOR_CONFIG`, bloom shards of 4 KiB, no trace
 * size limit; `deps` says where it works and may override any of them.
 */
export function testCompactor(
  deps: Pick<CompactorDeps, 'backend' | 'blocklist' | 'builder' | 'logger'> & Partial<CompactorDeps>,
): Compactor {
  return new Compactor({
    config: TEST_COMPACTOR_CONFIG,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 4096,
    maxBytesPerTrace: () => 0,
    ...deps,
  });
}

/** Span IDs (hex) per trace (hex). */
export function spansOf(data: Uint8Array, into = new Map<string, Set<string>>()): Map<string, Set<string>> {
  forEachSpan(data, (view) => {
    const trace = view.idHex(view.traceIdAt, view.traceIdLength);
    const set = into.get(trace) ?? new Set();
    set.add(view.idHex(view.spanIdAt, view.spanIdLength));
    into.set(trace, set);
  });
  return into;
}

/**
 * Writes `count` blocks of real OTLP traces (`block-<seed>-<n>`), a minute apart from `startMs`,
 * each of its own traces; adds their spans to `expected`.
 */
export async function writeOtlpBlocks(
  backend: Backend,
  tenantId: string,
  count: number,
  startMs: number,
  seed: number,
  expected = new Map<string, Set<string>>(),
): Promise<Map<string, Set<string>>> {
  for (let b = 0; b < count; b++) {
    const { requests } = generateTraceRequests({
      traces: 40,
      spansPerTrace: [2, 8],
      spansPerRequest: 500,
      seed: seed + b,
      startMs: startMs + b * 60_000,
    });
    const traces: TraceRecord[] = [];
    for (const request of requests) {
      spansOf(request, expected);
      for (const f of splitTracesByTraceId(request).fragments) {
        traces.push({
          traceId: f.traceId,
          data: f.data,
          spanCount: f.spanCount,
          startMs: f.startMs,
          endMs: f.endMs,
          truncated: false,
        });
      }
    }
    traces.sort((x, y) => Buffer.compare(x.traceId, y.traceId));
    const built = buildBlock({
      tenantId,
      blockId: `block-${seed}-${b}`,
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
    });
    await writeBlock(backend, built);
  }
  return expected;
}
