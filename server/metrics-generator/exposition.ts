import { labelPairs, type OnSeriesSkipped } from '../self-metrics/exposition-text';
import { formatSampleValue } from '../series-model/sample-value';
import {
  type CounterState,
  type FamilySpec,
  formatBound,
  type GeneratorRegistry,
  type HistogramState,
  type SeriesState,
} from './generator-registry';

/**
 * A series' labels never change, so their escaped text is built once per series and kept (a
 * scrape of tens of thousands of bucket lines is then mostly string concatenation). `null`
 * marks a series whose labels are too large to expose.
 */
const labelTextCache = new WeakMap<SeriesState, string | null>();

function seriesLabels(tenantId: string, state: SeriesState): string | null {
  let text = labelTextCache.get(state);
  if (text === undefined) {
    text = labelPairs({ tenant: tenantId, ...state.labels }) ?? null;
    labelTextCache.set(state, text);
  }
  return text;
}

function renderCounter(spec: FamilySpec, labels: string, state: CounterState): string {
  return `${spec.name}{${labels}} ${formatSampleValue(state.value)}\n`;
}

function renderHistogram(
  spec: FamilySpec,
  labels: string,
  h: HistogramState,
  les: readonly string[],
  openMetrics: boolean,
): string {
  const lines: string[] = [];
  const bucketPrefix = `${spec.name}_bucket{${labels}`;
  let cumulative = 0;
  for (let i = 0; i < les.length; i++) {
    cumulative += h.counts[i];
    let line = `${bucketPrefix}${les[i]}${cumulative}`;
    const ex = h.exemplars[i];
    if (openMetrics && ex) {
      line += ` # {traceID="${ex.traceId}",spanID="${ex.spanId}"} ${formatSampleValue(ex.value)} ${(ex.timestampMs / 1000).toFixed(3)}`;
    }
    lines.push(line);
  }
  lines.push(`${spec.name}_sum{${labels}} ${formatSampleValue(h.sum)}`);
  lines.push(`${spec.name}_count{${labels}} ${h.count}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The generator's families for `/metrics`, every tenant's series with a `tenant` label, one
 * piece per series. In OpenMetrics a counter family is named without `_total` (its samples keep
 * it) and histogram buckets carry their exemplar (`# {traceID="…",spanID="…"} value timestamp`);
 * the Prometheus text format has no exemplars. A series that cannot be rendered (or whose labels
 * are over `MAX_SERIES_LABEL_CHARS`) is left out and reported; the others are not affected.
 */
export function* renderGeneratorMetrics(
  registry: GeneratorRegistry,
  openMetrics: boolean,
  onSkipped: OnSeriesSkipped,
): Generator<string> {
  let current: FamilySpec | undefined;
  let header = '';
  let les: string[] = [];
  for (const { spec, tenantId, state } of registry.liveSeries()) {
    if (spec !== current) {
      current = spec;
      const family = openMetrics && spec.type === 'counter' ? spec.name.replace(/_total$/, '') : spec.name;
      // Written before the family's first series that renders: a family with none has no header.
      header = `# HELP ${family} ${spec.help}\n# TYPE ${family} ${spec.type}\n`;
      les = [...(spec.buckets ?? []), Number.POSITIVE_INFINITY].map((b) => `,le="${formatBound(b)}"} `);
    }
    let text: string;
    try {
      const labels = seriesLabels(tenantId, state);
      if (labels === null) {
        onSkipped('too_large');
        continue;
      }
      text =
        spec.type === 'counter'
          ? renderCounter(spec, labels, state as CounterState)
          : renderHistogram(spec, labels, state as HistogramState, les, openMetrics);
    } catch {
      onSkipped('error');
      continue;
    }
    if (header !== '') {
      yield header;
      header = '';
    }
    yield text;
  }
}
