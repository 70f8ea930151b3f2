import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningS3 } from '../server/testing/s3';
import {
  benchDataStartMs,
  compactAll,
  compactionDataset,
  cpuSeconds,
  storageConfig,
  writeLocalBlocks,
  writeS3Blocks,
} from './storage';
import { BENCH_TENANT, buildBenchBlock, buildBenchBlocks, builtBytes, sliceIntoBlocks } from './storage-data';
import { benchConfig, gets, openStore, storedBlockBytes } from './storage-store';

/**
 * The storage bench's compaction step alone (`bench/storage.ts`, step 5, without the lookups
 * before and after): small blocks of the same seeded traces (seed 4343, 10 spans each) on local
 * disk (and the first of them on S3 when asked), compacted by `runCycle` until a cycle compacts
 * nothing; beside each run, the same-run baseline of the full bench: building the same traces as
 * 4 blocks in process (one thread's CPU). A minute or two instead of the full bench's five.
 *
 * `npx tsx bench/storage-compaction.ts`. Settings: BENCH_STORAGE_SMALL_BLOCKS (1,000),
 * BENCH_STORAGE_SMALL_BLOCK_TRACES (5), BENCH_STORAGE_S3_SMALL_BLOCKS (0: no S3),
 * BENCH_COMPACTION_RUNS (1: runs of each backend, taking turns with the baseline),
 * BENCH_STORAGE_S3_PORT (7491), BENCH_STORAGE_S3_HEDGE_AT_MS (0: off). One JSON line per run on
 * stdout.
 */

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const smallBlocks = num('BENCH_STORAGE_SMALL_BLOCKS', 1_000);
const smallBlockTraces = num('BENCH_STORAGE_SMALL_BLOCK_TRACES', 5);
const s3SmallBlocks = Math.min(smallBlocks, num('BENCH_STORAGE_S3_SMALL_BLOCKS', 0));
const runs = num('BENCH_COMPACTION_RUNS', 1);
const s3HedgeAtMs = num('BENCH_STORAGE_S3_HEDGE_AT_MS', 0);
const FEW_BLOCKS = 4;

process.env.LOUPE_TEST_S3_PORT ??= String(num('BENCH_STORAGE_S3_PORT', 7491));
const small = compactionDataset(smallBlocks * smallBlockTraces, benchDataStartMs());
const built = await buildBenchBlocks(sliceIntoBlocks(small.records, smallBlocks));
const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-compaction-'));
let s3: RunningS3 | undefined;
try {
  if (s3SmallBlocks > 0) {
    const { startS3 } = await import('../server/testing/s3');
    s3 = await startS3();
  }
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const few = sliceIntoBlocks(small.records, FEW_BLOCKS).map((traces) => buildBenchBlock(traces));
    const baselineSpansPerSec = small.spans / cpuSeconds(cpu);
    const fewBytes = builtBytes(few);
    few.length = 0;
    const targets: { name: string; where: Parameters<typeof storageConfig>[1] }[] = [];
    const localPath = join(dataDir, `local-${run}`);
    await writeLocalBlocks(localPath, built);
    targets.push({ name: 'local', where: { localPath } });
    if (s3) {
      const options = s3.options({ bucket: await s3.newBucket() });
      await writeS3Blocks(options, built.slice(0, s3SmallBlocks));
      targets.push({ name: 'S3', where: { s3: options } });
    }
    for (const { name, where } of targets) {
      const store = await openStore(benchConfig(storageConfig(dataDir, where, s3HedgeAtMs), dataDir));
      try {
        const result = await compactAll(store, `${name} compaction, run ${run + 1}`);
        console.log(
          JSON.stringify({
            run: run + 1,
            backend: name,
            blocks: `${result.blocksBefore} → ${result.blocksAfter}`,
            compactions: result.compactions,
            cycles: result.cycles,
            maxLevel: result.maxLevel,
            spansWritten: result.spansWritten,
            seconds: Number(result.seconds.toFixed(2)),
            cpuSeconds: Number(result.cpuSeconds.toFixed(2)),
            spansPerSec: Math.round(result.spansWritten / result.seconds),
            gets: gets(result.requests),
            puts: result.requests.write,
            baseline: 'building the same spans as 4 blocks in process (CPU)',
            baselineSpansPerSec: Math.round(baselineSpansPerSec),
            blocksLeft: store.blocklist.blocks(BENCH_TENANT).length,
            ...(name === 'local'
              ? {
                  bytesPerSpanBefore: Math.round(builtBytes(built) / small.spans),
                  bytesPerSpanAfter: Math.round(
                    (await storedBlockBytes(
                      where as { localPath: string },
                      BENCH_TENANT,
                      store.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId),
                    )) / small.spans,
                  ),
                  bytesPerSpanBuiltAsFewBlocks: Math.round(fewBytes / small.spans),
                }
              : {}),
          }),
        );
      } finally {
        await store.close();
      }
    }
    rmSync(localPath, { recursive: true, force: true });
  }
} finally {
  await s3?.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
