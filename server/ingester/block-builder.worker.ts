import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { combineTraceParts } from '../otlp/combine-trace';
import { buildBlock } from '../store/block-writer';
import type { TraceRecord } from '../store/types';
import type { BlockJob, BlockJobResult } from './block-job';
import { walSegmentFileName } from './wal-record';

/**
 * Builds blocks off the request path: reads each trace's records straight from the WAL
 * segments, merges a trace's fragments (dropping duplicate spans), then encodes and
 * compresses the block. The main thread only writes the returned objects.
 */
function readRecords(job: BlockJob): TraceRecord[] {
  const fds = new Map<number, number>();
  const fdFor = (segment: number): number => {
    let fd = fds.get(segment);
    if (fd === undefined) {
      fd = openSync(join(job.walDir, walSegmentFileName(segment)), 'r');
      fds.set(segment, fd);
    }
    return fd;
  };
  const n = job.spanCounts.length;
  const records: TraceRecord[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const parts: Buffer[] = [];
      for (let l = job.locationStart[i]; l < job.locationStart[i + 1]; l++) {
        const length = job.locations[3 * l + 2];
        if (length === 0) continue;
        const buf = Buffer.allocUnsafe(length);
        readSync(fdFor(job.locations[3 * l]), buf, 0, length, job.locations[3 * l + 1]);
        parts.push(buf);
      }
      let data: Uint8Array = parts.length === 1 ? parts[0] : Buffer.alloc(0);
      let spanCount = job.spanCounts[i];
      let truncated = job.truncated[i] === 1;
      if (parts.length > 1) {
        const combined = combineTraceParts(parts, job.maxBytesPerTrace);
        data = combined.data;
        spanCount = combined.spanCount;
        truncated ||= combined.truncated;
      }
      records.push({
        traceId: job.traceIds.subarray(16 * i, 16 * i + 16),
        data,
        spanCount,
        startMs: job.startMs[i],
        endMs: job.endMs[i],
        truncated,
      });
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return records;
}

parentPort?.on('message', (job: BlockJob) => {
  const began = performance.now();
  try {
    const built = buildBlock({
      tenantId: job.tenantId,
      blockId: job.blockId,
      traces: readRecords(job),
      bloomFalsePositive: job.bloomFalsePositive,
      bloomShardSizeBytes: job.bloomShardSizeBytes,
    });
    const result: BlockJobResult = {
      blockId: job.blockId,
      meta: built.meta,
      objects: built.objects,
      buildMs: performance.now() - began,
    };
    // Copied, not transferred: small Buffers share Node's allocation pool.
    parentPort!.postMessage({ ok: true, result });
  } catch (err) {
    parentPort!.postMessage({ ok: false, blockId: job.blockId, error: (err as Error).stack ?? String(err) });
  }
});
