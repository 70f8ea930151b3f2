import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { LocalBackend } from '../store/backend/local-backend';
import { tempDataDir } from '../testing/test-config';
import { incompleteTraces, spanCountsOf } from './support/clients';
import { ingestInBlocks, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * Two Loupes on one blocks folder (Tempo's `blocklist_poll`): the reader learns of the writer's
 * flushed blocks, of its compaction, and of the compacted inputs' deletion, each at its next
 * poll, and answers every trace whole at every step.
 */

const writerDir = tempDataDir('loupe-poll-writer-');
const readerDir = tempDataDir('loupe-poll-reader-');
const blocksPath = join(writerDir, 'blocks');
const expected = new Map<string, number>();
let writer: TestLoupe;
let reader: TestLoupe;

beforeAll(async () => {
  writer = await startTestLoupe(
    {
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
      compactor: { compactedBlockRetentionMs: 1 },
    },
    writerDir,
  );
  reader = await startTestLoupe({ storage: { localPath: blocksPath } }, readerDir);
});

afterAll(async () => {
  await reader?.loupe.stop();
  await writer?.loupe.stop();
  removeDir(writerDir);
  removeDir(readerDir);
});

const poll = () => reader.loupe.blocklist.poll(new LocalBackend(blocksPath));
const readerBlocks = () => reader.loupe.blocklist.blocks('single-tenant').length;

describe('blocklist polling', () => {
  it('follows another process flushing, compacting and deleting blocks', async () => {
    const { requests } = generateTraceRequests({
      traces: 80,
      spansPerTrace: [2, 9],
      spansPerRequest: 13,
      seed: 9,
      startMs: Date.now() - 5 * 60_000,
    });
    spanCountsOf(requests, expected);
    await ingestInBlocks(writer, requests, 3);
    expect(readerBlocks()).toBe(0);

    expect(await poll()).toEqual({ added: 3, removed: 0 });
    expect(await incompleteTraces(reader.api, expected)).toEqual([]);

    await writer.loupe.compact();
    expect((await poll()).added).toBe(1);
    expect(readerBlocks()).toBe(1);
    expect(reader.loupe.blocklist.compactedBlocks('single-tenant')).toHaveLength(3);
    expect(await incompleteTraces(reader.api, expected)).toEqual([]);

    await writer.loupe.compact(Date.now() + 60_000);
    await poll();
    expect(readerBlocks()).toBe(1);
    expect(reader.loupe.blocklist.compactedBlocks('single-tenant')).toHaveLength(0);
    expect(await incompleteTraces(reader.api, expected)).toEqual([]);
  });
});
