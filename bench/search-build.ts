import { pathToFileURL } from 'node:url';
import { blockFormatFor, WRITE_FORMAT } from '../server/store/encoding/registry';
import { buildSearchObjects } from '../server/store/search/search-sidecar';
import { makeDataset } from './storage-data';

/**
 * Block building in process, the search bench's data: the same traces built as a block in the
 * format new blocks are written in (`WRITE_FORMAT`, `loupe-v2`: each span once, search data
 * included) and, as the baseline, as a `loupe-v1` block plus its search sidecar (each span
 * twice: pages, then `buildSearchObjects`), as the block-builder worker did before ADR 008.
 * CPU time of one thread, after an untimed pass. Alone: `npx tsx bench/search-build.ts [traces]`.
 */
export interface SearchBuildFigures {
  spans: number;
  rawBytes: number;
  /** The block as written now: spans per CPU second, and bytes (every object). */
  blockSpansPerSec: number;
  blockBytes: number;
  /** `loupe-v1` pages, index and bloom, and the search sidecar beside them. */
  twoCopiesSpansPerSec: number;
  twoCopiesBytes: number;
}

function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const bytesOf = (objects: readonly { data: Uint8Array }[]) =>
  objects.reduce((sum, object) => sum + object.data.byteLength, 0);

export function measureSearchBuild(traces = 20_000, spansPerTrace = 10): SearchBuildFigures {
  // Every trace is whole in one request: one record per trace.
  const { records, spans, rawBytes } = makeDataset({
    traces,
    spansPerTrace,
    seed: 4242,
    startMs: Date.UTC(2026, 0, 1),
    chosen: 0,
  });
  records.sort((a, b) => Buffer.compare(a.traceId, b.traceId));
  const options = {
    tenantId: 'bench',
    blockId: 'bench',
    traces: records,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 100 * 1024,
  };
  const blockBytesOf = () => bytesOf(WRITE_FORMAT.build(options).objects);
  const twoCopiesBytesOf = () =>
    bytesOf(blockFormatFor('loupe-v1').build(options).objects) +
    bytesOf(buildSearchObjects(records)?.objects ?? []);
  let blockBytes = blockBytesOf(); // untimed passes: the worker's code is warm all day
  let twoCopiesBytes = twoCopiesBytesOf();
  const blockMs = cpuMs(() => {
    blockBytes = blockBytesOf();
  });
  const twoCopiesMs = cpuMs(() => {
    twoCopiesBytes = twoCopiesBytesOf();
  });
  return {
    spans,
    rawBytes,
    blockSpansPerSec: (spans * 1000) / blockMs,
    blockBytes,
    twoCopiesSpansPerSec: (spans * 1000) / twoCopiesMs,
    twoCopiesBytes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(measureSearchBuild(process.argv[2] ? Number(process.argv[2]) : undefined));
}
