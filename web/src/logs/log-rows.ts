import { detectLevel, type LogLevel } from './log-level';

/** One log line as the pane shows it, whatever shape Loki answered in. */
export interface LogRow {
  /** Unique within one result. */
  id: string;
  /** Unix nanoseconds, as Loki sends them (a decimal string: more digits than a double holds). */
  timeNs: string;
  timeMs: number;
  line: string;
  /** Stream (index) labels. */
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  /** Labels a parser stage (`| json`, `| logfmt`) extracted. */
  parsed: Record<string, string>;
  level: LogLevel;
}

export type Direction = 'backward' | 'forward';

type Labels = Record<string, string>;
type LokiValue = [string, string] | [string, string, { structuredMetadata?: unknown; parsed?: unknown }];

export interface LokiStreamsResponse {
  status?: string;
  data?: {
    resultType?: string;
    encodingFlags?: string[];
    result?: { stream?: Labels; values?: LokiValue[] }[];
  };
}

/**
 * Loki writes structured metadata as an object; some versions and proxies as `[{name, value}]`.
 */
function toLabels(value: unknown): Labels {
  if (!value || typeof value !== 'object') return {};
  const out: Labels = {};
  if (Array.isArray(value)) {
    for (const pair of value as { name?: unknown; value?: unknown }[]) {
      if (typeof pair?.name === 'string') out[pair.name] = String(pair.value ?? '');
    }
    return out;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = String(v);
  return out;
}

function nsToMs(ns: string): number {
  // Whole milliseconds from the string, so precision is not lost on the way through a double.
  return ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
}

function compareNs(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Turns a `query_range` answer of type `streams` into rows, newest first for `backward` (oldest
 * first for `forward`), at most `limit`. Handles both answer shapes: with the
 * `categorize-labels` flag (stream labels apart, metadata and parsed labels per line) and without
 * (everything merged into the stream's labels).
 */
export function toLogRows(response: LokiStreamsResponse, direction: Direction, limit: number): LogRow[] {
  const rows: LogRow[] = [];
  const streams = response.data?.result ?? [];
  streams.forEach((stream, s) => {
    const labels = toLabels(stream.stream);
    (stream.values ?? []).forEach((value, v) => {
      const [timeNs, line] = value;
      const categories = value[2];
      const structuredMetadata = toLabels(categories?.structuredMetadata);
      const parsed = toLabels(categories?.parsed);
      const text = String(line ?? '');
      rows.push({
        id: `${s}:${v}:${timeNs}`,
        timeNs: String(timeNs),
        timeMs: nsToMs(String(timeNs)),
        line: text,
        labels,
        structuredMetadata,
        parsed,
        level: detectLevel({ labels, structuredMetadata, parsed, line: text }),
      });
    });
  });
  const sign = direction === 'backward' ? -1 : 1;
  rows.sort((a, b) => sign * compareNs(a.timeNs, b.timeNs));
  return rows.length > limit ? rows.slice(0, limit) : rows;
}

/** A value of the row under `key`: structured metadata first, then stream labels, then parsed ones. */
export function rowField(row: LogRow, key: string): string | undefined {
  return row.structuredMetadata[key] ?? row.labels[key] ?? row.parsed[key];
}
