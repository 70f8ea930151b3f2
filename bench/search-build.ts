import { pathToFileURL } from 'node:url';
import { WRITE_FORMAT } from '../server/store/encoding/registry';
import { buildSearchObjects } from '../server/store/search/search-sidecar';
import { makeDataset } from './storage-data';

/**
 * Where block building's time and bytes go, in process: the same traces (the search bench's
 * data) built as a block without search data (`WRITE_FORMAT.build`: data, index, bloom) and as
 * the search sidecar alone (`buildSearchObjects`), as the block-builder worker does one after the
 * other. CPU time of one thread, after an untimed pass. Alone: `npx tsx bench/search-build.ts [traces]`.
 */
export interface SearchBuildFigures {
  spans: number;
  rawBytes: number;
  /** Block without search data: spans per CPU second, and bytes. */
  blockSpansPerSec: number;
  blockBytes: number;
  /** Search sidecar alone (search.parquet + search-summary.json). */
  sidecarSpansPerSec: number;
  sidecarBytes: number;
}

function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

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
  const blockBytesOf = () =>
    WRITE_FORMAT.build(options).objects.reduce((sum, object) => sum + object.data.byteLength, 0);
  const sidecarBytesOf = () =>
    (buildSearchObjects(records)?.objects ?? []).reduce((sum, object) => sum + object.data.byteLength, 0);
  let blockBytes = blockBytesOf(); // untimed passes: the worker's code is warm all day
  let sidecarBytes = sidecarBytesOf();
  const blockMs = cpuMs(() => {
    blockBytes = blockBytesOf();
  });
  const sidecarMs = cpuMs(() => {
    sidecarBytes = sidecarBytesOf();
  });
  return {
    spans,
    rawBytes,
    blockSpansPerSec: (spans * 1000) / blockMs,
    blockBytes,
    sidecarSpansPerSec: (spans * 1000) / sidecarMs,
    sidecarBytes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(measureSearchBuild(process.argv[2] ? Number(process.argv[2]) : undefined));
}
