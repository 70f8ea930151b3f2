import { formatSampleValue } from '../series-model/sample-value';
/**
 * Pieces of the Prometheus text format and OpenMetrics shared by every family on `/metrics`.
 * A scrape is rendered series by series: one series that cannot be rendered, or is too large to
 * be sane, is left out and counted, and never takes the others with it.
 */

/** Why a series was left out of a scrape. */
export type SkipReason = 'too_large' | 'error';
export type OnSeriesSkipped = (reason: SkipReason) => void;

/**
 * A series whose label text is longer than this (UTF-16 units) is left out of a scrape. With
 * the label limits (2048-byte values) a series' labels take a few KiB; this only stops a series
 * that got past them from making a scrape hundreds of megabytes.
 */
export const MAX_SERIES_LABEL_CHARS = 128 * 1024;

/** Label values escaped as both the Prometheus text format and OpenMetrics require. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `# HELP` text: backslashes and line breaks escaped. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `name="value",…` for a label set (without braces), or undefined when over `MAX_SERIES_LABEL_CHARS`. */
export function labelPairs(labels: Readonly<Record<string, string | number>>): string | undefined {
  let size = 0;
  for (const name in labels) size += name.length + String(labels[name]).length + 4;
  if (size > MAX_SERIES_LABEL_CHARS) return undefined;
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(String(labels[name]))}"`);
  return parts.join(',');
}

/** A prom-client metric as it is at runtime (its typings call `type` an enum; it is a string). */
export interface PromClientMetric {
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values?: { value: number; labels: Record<string, string | number>; metricName?: string }[];
  }>;
}

/**
 * One prom-client metric (Loupe's own), series by series. Rendered here rather than by
 * prom-client's `Registry.metrics()` because that renders every metric into one string and
 * fails as a whole, and because for OpenMetrics it renames counters in place (drops `_total`),
 * which the Prometheus-format registry holding the same counter then prints.
 */
export async function* renderPromClientMetric(
  metric: PromClientMetric,
  openMetrics: boolean,
  onSkipped: OnSeriesSkipped,
): AsyncGenerator<string> {
  let data: Awaited<ReturnType<PromClientMetric['get']>>;
  // A gauge's collect() runs here: one that throws costs that metric, not the scrape.
  try {
    data = await metric.get();
  } catch {
    onSkipped('error');
    return;
  }
  const counter = data.type === 'counter';
  const family = openMetrics && counter ? data.name.replace(/_total$/, '') : data.name;
  const counterSample = openMetrics ? `${family}_total` : data.name;
  yield `# HELP ${family} ${escapeHelp(data.help)}\n# TYPE ${family} ${data.type}\n`;
  for (const value of data.values ?? []) {
    try {
      const name = value.metricName ?? (counter ? counterSample : data.name);
      const labels = labelPairs(value.labels);
      if (labels === undefined) {
        onSkipped('too_large');
        continue;
      }
      const braces = labels === '' ? '' : `{${labels}}`;
      yield `${name}${braces} ${formatSampleValue(value.value)}\n`;
    } catch {
      onSkipped('error');
    }
  }
}

/**
 * Joins the pieces of a scrape into chunks of about `chunkChars`, so the reply is written in a
 * few writes without ever holding the whole scrape in one string.
 */
export async function* inChunks(
  pieces: AsyncIterable<string>,
  chunkChars = 64 * 1024,
): AsyncGenerator<string> {
  let pending: string[] = [];
  let size = 0;
  for await (const piece of pieces) {
    pending.push(piece);
    size += piece.length;
    if (size >= chunkChars) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.join('');
}
