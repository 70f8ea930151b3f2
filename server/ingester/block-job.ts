import type { SearchReuse } from '../store/search/sidecar-merge';
import type { BlockMeta, TraceRecord } from '../store/types';
import type { HeadBlock } from './tenant-instance';

/**
 * A cut head block as sent to the block-builder worker: flat typed arrays (cheap to clone)
 * holding each trace's summary and the WAL locations of its records, sorted by trace ID.
 * The worker reads the records' data at those locations itself (`SegmentReader`).
 */
export interface BlockJob {
  blockId: string;
  tenantId: string;
  /** The trace WAL's directory, which the locations point into. */
  walDir: string;
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  maxBytesPerTrace: number;
  traceIds: Uint8Array; // 16 bytes per trace
  spanCounts: Uint32Array;
  startMs: Float64Array;
  endMs: Float64Array;
  truncated: Uint8Array;
  /** Trace i owns locations [locationStart[i], locationStart[i + 1]). */
  locationStart: Uint32Array;
  /** segment, offset, length per location (a `WalLocation` flattened). */
  locations: Float64Array;
}

/**
 * A block to build from trace records already in hand (a compaction's merged inputs), sorted by
 * trace ID; the built meta gets `meta` merged in (a compaction's `compactedFrom`).
 */
export interface RecordsJob {
  kind: 'records';
  blockId: string;
  tenantId: string;
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  traces: TraceRecord[];
  meta?: Partial<BlockMeta>;
  /** The inputs' search sidecars, for the new one to copy their row groups where it can. */
  search?: SearchReuse;
}

export interface BlockJobResult {
  blockId: string;
  meta: BlockMeta;
  objects: { name: string; data: Uint8Array }[];
  buildMs: number;
}

export function toBlockJob(
  head: HeadBlock,
  base: Omit<
    BlockJob,
    'traceIds' | 'spanCounts' | 'startMs' | 'endMs' | 'truncated' | 'locationStart' | 'locations'
  >,
): BlockJob {
  const keys = [...head.traces.keys()].sort();
  const n = keys.length;
  let locationCount = 0;
  for (const trace of head.traces.values()) locationCount += trace.locations.length;
  const job: BlockJob = {
    ...base,
    traceIds: new Uint8Array(16 * n),
    spanCounts: new Uint32Array(n),
    startMs: new Float64Array(n),
    endMs: new Float64Array(n),
    truncated: new Uint8Array(n),
    locationStart: new Uint32Array(n + 1),
    locations: new Float64Array(3 * locationCount),
  };
  let loc = 0;
  keys.forEach((key, i) => {
    const trace = head.traces.get(key)!;
    job.traceIds.set(trace.traceId, 16 * i);
    job.spanCounts[i] = trace.spanCount;
    job.startMs[i] = trace.startMs;
    job.endMs[i] = trace.endMs;
    job.truncated[i] = trace.truncated ? 1 : 0;
    job.locationStart[i] = loc;
    for (const l of trace.locations) {
      job.locations[3 * loc] = l.segment;
      job.locations[3 * loc + 1] = l.offset;
      job.locations[3 * loc + 2] = l.length;
      loc++;
    }
  });
  job.locationStart[n] = loc;
  return job;
}
