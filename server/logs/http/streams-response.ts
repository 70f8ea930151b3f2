import { streamKey } from '../labels';
import type { Labels } from '../model';
import type { SelectedEntry, SelectStats } from '../query/select-logs';
import { formatNanos } from '../timestamp';

/** The request header with which Grafana asks for labels split by kind (Loki 3). */
export const ENCODING_FLAGS_HEADER = 'x-loki-response-encoding-flags';
export const CATEGORIZE_LABELS = 'categorize-labels';

type Value = [string, string] | [string, string, { structuredMetadata?: Labels; parsed?: Labels }];

export interface StreamsData {
  resultType: 'streams';
  result: { stream: Labels; values: Value[] }[];
  stats: ReturnType<typeof statsSummary>;
  encodingFlags?: string[];
}

/**
 * Loki's `streams` result. By default an entry's structured metadata and parsed labels join its
 * stream labels, so entries that differ in them land in different result streams. With
 * `categorize-labels`, `stream` holds the index labels only and each value carries
 * `{structuredMetadata, parsed}` as a third element.
 */
export function streamsData(
  entries: SelectedEntry[],
  categorize: boolean,
  stats: SelectStats,
  execMs: number,
): StreamsData {
  const groups = new Map<string, { stream: Labels; values: Value[] }>();
  for (const e of entries) {
    const ts = formatNanos(e.ms, e.ns);
    let labels: Labels;
    let value: Value;
    if (categorize) {
      labels = e.stream.labels;
      const extra: { structuredMetadata?: Labels; parsed?: Labels } = {};
      if (e.meta && Object.keys(e.meta).length > 0) extra.structuredMetadata = e.meta;
      if (e.parsed && Object.keys(e.parsed).length > 0) extra.parsed = e.parsed;
      value = extra.structuredMetadata || extra.parsed ? [ts, e.line, extra] : [ts, e.line];
    } else {
      labels = e.meta || e.parsed ? { ...e.stream.labels, ...e.meta, ...e.parsed } : e.stream.labels;
      value = [ts, e.line];
    }
    const key = categorize || labels === e.stream.labels ? e.stream.key : streamKey(labels);
    let group = groups.get(key);
    if (!group) {
      group = { stream: labels, values: [] };
      groups.set(key, group);
    }
    group.values.push(value);
  }
  const data: StreamsData = {
    resultType: 'streams',
    result: [...groups.values()],
    stats: statsSummary(stats, entries.length, execMs),
  };
  if (categorize) data.encodingFlags = [CATEGORIZE_LABELS];
  return data;
}

/** The `summary` part of Loki's query statistics (what Grafana shows in the query inspector). */
export function statsSummary(stats: SelectStats, returned: number, execMs: number) {
  const seconds = Math.max(execMs / 1000, 1e-9);
  return {
    summary: {
      bytesProcessedPerSecond: Math.round(stats.bytesScanned / seconds),
      linesProcessedPerSecond: Math.round(stats.linesScanned / seconds),
      totalBytesProcessed: stats.bytesScanned,
      totalLinesProcessed: stats.linesScanned,
      execTime: execMs / 1000,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: returned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: returned,
      totalStructuredMetadataBytesProcessed: 0,
    },
    querier: { store: { totalChunksRef: stats.chunksRead, totalChunksDownloaded: stats.chunksRead } },
    ingester: {},
  };
}
