import { afterAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { BlockBuilder } from '../ingester/block-builder';
import { forEachSpan } from '../otlp/span-visitor';
import { splitTracesByTraceId } from '../otlp/split-traces';
import { blockObjectKey, META_OBJECT } from '../store/block-keys';
import { buildBlock, writeBlock } from '../store/block-writer';
import { Blocklist } from '../store/blocklist';
import { compactBlocks } from '../store/compaction/compact-blocks';
import { freshBackendPerTest } from '../store/store-test-support';
import type { TraceRecord } from '../store/types';
import { Compactor, type CompactorConfig } from './compactor';

/**
 * The compactor against a real local backend, blocklist and block-builder worker: small blocks
 * of one time window become one, every trace stays findable (before, during and after), the
 * inputs leave the blocklist at once and the backend after `compacted_block_retention`, and a
 * restart after a crash between the two still queries each trace once.
 */

const TENANT = 'c';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const config: CompactorConfig = {
  windowMs: HOUR,
  maxCompactionObjects: 1_000_000,
  maxBlockBytes: 1 << 30,
  compactedBlockRetentionMs: HOUR,
};
const logger = { info: () => {}, warn: () => {} };
const builder = new BlockBuilder();
const fresh = freshBackendPerTest();
afterAll(async () => {
  await builder.close();
});

/** Span IDs (hex) per trace (hex). */
function spansOf(data: Uint8Array, into = new Map<string, Set<string>>()): Map<string, Set<string>> {
  forEachSpan(data, (view) => {
    const trace = view.idHex(view.traceIdAt, view.traceIdLength);
    const set = into.get(trace) ?? new Set();
    set.add(view.idHex(view.spanIdAt, view.spanIdLength));
    into.set(trace, set);
  });
  return into;
}

/** `count` blocks starting at `startMs`, each of its own traces; returns the expected spans. */
async function writeBlocks(count: number, startMs: number, seed: number, expected: Map<string, Set<string>>) {
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
      tenantId: TENANT,
      blockId: `block-${seed}-${b}`,
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
    });
    await writeBlock(fresh.backend, built);
  }
}

async function findAll(blocklist: Blocklist, expected: Map<string, Set<string>>): Promise<void> {
  for (const [trace, spans] of expected) {
    const id = Buffer.from(trace, 'hex');
    const found = new Set<string>();
    let copies = 0;
    for (const entry of blocklist.candidates(TENANT, id)) {
      const hit = await entry.reader.findTrace(id);
      if (!hit) continue;
      copies++;
      for (const span of spansOf(hit.data).get(trace) ?? []) found.add(span);
    }
    expect(copies, trace).toBe(1);
    expect(found, trace).toEqual(spans);
  }
}

function compactor(blocklist: Blocklist) {
  return new Compactor({
    backend: fresh.backend,
    blocklist,
    builder,
    config,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 4096,
    maxBytesPerTrace: () => 0,
    logger,
  });
}

describe('Compactor', () => {
  it('merges the blocks of one window, keeps every trace, and deletes the inputs after their retention', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(3, T0, 100, expected);
    await writeBlocks(1, T0 + 5 * HOUR, 200, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    expect(blocklist.blocks(TENANT)).toHaveLength(4);

    const cycle = await compactor(blocklist).runCycle(T0 + 6 * HOUR);

    expect(cycle.compacted).toHaveLength(1);
    expect(cycle.compacted[0].inputs.sort()).toEqual(['block-100-0', 'block-100-1', 'block-100-2']);
    const visible = blocklist.blocks(TENANT).map((e) => e.meta.blockId);
    expect(visible).toHaveLength(2);
    expect(visible).toContain('block-200-0');
    await findAll(blocklist, expected);
    // Still on the backend for queries already under way...
    expect(await fresh.backend.read(blockObjectKey(TENANT, 'block-100-0', META_OBJECT))).toBeDefined();
    const later = await compactor(blocklist).runCycle(Date.now() + 2 * HOUR);
    // ...and gone after compacted_block_retention.
    expect(later.deleted).toBe(3);
    expect(await fresh.backend.list(`${TENANT}/`)).toHaveLength(2);
    await findAll(blocklist, expected);
  });

  it('does nothing with one block per window', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(1, T0, 300, expected);
    await writeBlocks(1, T0 + 2 * HOUR, 400, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    expect((await compactor(blocklist).runCycle(T0 + 3 * HOUR)).compacted).toEqual([]);
    expect(blocklist.blocks(TENANT)).toHaveLength(2);
  });

  it('after a crash between writing the compacted block and deleting its inputs, queries each trace once', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(2, T0, 500, expected);
    const before = new Blocklist();
    await before.load(fresh.backend);
    // The compacted block is written, then the process dies: its inputs are still there.
    const built = await compactBlocks(
      before.blocks(TENANT).map((e) => e.reader),
      { blockId: 'merged', bloomFalsePositive: 0.01, bloomShardSizeBytes: 4096, maxBytesPerTrace: 0 },
    );
    await writeBlock(fresh.backend, built);
    expect(await fresh.backend.list(`${TENANT}/`)).toHaveLength(3);

    const restarted = new Blocklist();
    await restarted.load(fresh.backend);

    expect(restarted.blocks(TENANT).map((e) => e.meta.blockId)).toEqual(['merged']);
    expect(restarted.compactedBlocks(TENANT)).toHaveLength(2);
    await findAll(restarted, expected);
  });

  it('deletes a block directory left without meta.json by a crash, after the grace period, and no other', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(1, T0, 600, expected);
    await fresh.backend.write(
      `${TENANT}/half-written/data`,
      Buffer.from('pages of a block whose meta.json never came'),
    );
    await fresh.backend.write(
      `${TENANT}/late/data`,
      Buffer.from('a block being written while the store loads'),
    );
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    // The second one's meta.json arrives after the load: it is a block, not debris.
    await writeBlocks(1, T0, 700, expected);
    await fresh.backend.write(
      `${TENANT}/late/meta.json`,
      await fresh.backend.read(`${TENANT}/block-700-0/meta.json`).then((b) => b!),
    );

    expect((await compactor(blocklist).runCycle(Date.now())).incompleteDeleted).toBe(0);
    expect(await fresh.backend.list(`${TENANT}/`)).toContain('half-written');

    const later = await compactor(blocklist).runCycle(Date.now() + 2 * HOUR);
    expect(later.incompleteDeleted).toBe(1);
    const left = await fresh.backend.list(`${TENANT}/`);
    expect(left).not.toContain('half-written');
    expect(left).toContain('late');
  });

  it('keeps compacting within one cycle while a window still has blocks to merge', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(9, T0, 800, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);

    const cycle = await compactor(blocklist).runCycle(T0 + 2 * HOUR);

    expect(cycle.compacted.length).toBeGreaterThanOrEqual(3);
    expect(blocklist.blocks(TENANT)).toHaveLength(1);
    await findAll(blocklist, expected);
  });
});
