import { parentPort } from 'node:worker_threads';
import { combineTraceParts } from '../otlp/combine-trace';
import { buildBlock } from '../store/block-writer';
import type { TraceRecord } from '../store/types';
import { SegmentReader } from '../wal/segment-reader';
import type { BlockJob, BlockJobResult, RecordsJob } from './block-job';

/*
 * Builds blocks off the request path: reads each trace's records straight from the WAL
 * segments, merges a trace's fragments (dropping duplicate spans), then encodes and
 * compresses the block. The main thread only writes the returned objects.
 */

/** The job's traces as block records, their fragments read from the WAL and merged. */
function readRecords(job: BlockJob): TraceRecord[] {
  const wal = new SegmentReader(job.walDir);
  const n = job.spanCounts.length;
  const records: TraceRecord[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const parts: Buffer[] = [];
      for (let l = job.locationStart[i]; l < job.locationStart[i + 1]; l++) {
        const length = job.locations[3 * l + 2];
        if (length === 0) continue;
        parts.push(wal.read({ segment: job.locations[3 * l], offset: job.locations[3 * l + 1], length }));
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
    wal.close();
  }
  return records;
}

/**
 * The big objects' memory, handed to the main thread instead of copied (a block's data and
 * search objects are tens of MB; a copy doubles them for a moment). Only a buffer that is the
 * whole of its ArrayBuffer moves: small Buffers share Node's allocation pool with other data.
 */
function transferable(objects: readonly { data: Uint8Array }[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of objects) {
    const buffer = data.buffer;
    if (buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength)
      buffers.add(buffer);
  }
  return [...buffers];
}

parentPort?.on('message', (job: BlockJob | RecordsJob) => {
  const began = performance.now();
  try {
    const records = 'kind' in job ? job : undefined;
    const built = buildBlock(
      {
        tenantId: job.tenantId,
        blockId: job.blockId,
        traces: records ? records.traces : readRecords(job as BlockJob),
        bloomFalsePositive: job.bloomFalsePositive,
        bloomShardSizeBytes: job.bloomShardSizeBytes,
      },
      records?.search,
    );
    const result: BlockJobResult = {
      blockId: job.blockId,
      meta: { ...built.meta, ...records?.meta },
      objects: built.objects,
      buildMs: performance.now() - began,
    };
    parentPort!.postMessage({ ok: true, result }, transferable(result.objects));
  } catch (err) {
    parentPort!.postMessage({ ok: false, blockId: job.blockId, error: (err as Error).stack ?? String(err) });
  }
});
