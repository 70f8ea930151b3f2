import {
  type CounterState,
  formatBound,
  type GeneratorRegistry,
  type HistogramState,
} from './generator-registry';

/** Label values escaped as both the Prometheus text format and OpenMetrics require. */
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelPairs(labels: Record<string, string>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(`${name}="${escapeValue(value)}"`);
  return parts.join(',');
}

/**
 * A series' labels never change, so their escaped text is built once per series and kept (a
 * scrape of tens of thousands of bucket lines is then mostly string concatenation).
 */
const labelTextCache = new WeakMap<object, string>();

function seriesLabels(tenantId: string, state: CounterState | HistogramState): string {
  let text = labelTextCache.get(state);
  if (text === undefined) {
    text = labelPairs({ tenant: tenantId, ...state.labels });
    labelTextCache.set(state, text);
  }
  return text;
}

function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/**
 * The generator's families for `/metrics`, every tenant's series with a `tenant` label. In
 * OpenMetrics a counter family is named without `_total` (its samples keep it) and histogram
 * buckets carry their exemplar (`# {traceID="…",spanID="…"} value timestamp`); the Prometheus
 * text format has no exemplars.
 */
export function renderGeneratorMetrics(registry: GeneratorRegistry, openMetrics: boolean): string {
  const lines: string[] = [];
  registry.forEachFamily((spec, series) => {
    const family = openMetrics && spec.type === 'counter' ? spec.name.replace(/_total$/, '') : spec.name;
    lines.push(`# HELP ${family} ${spec.help}`, `# TYPE ${family} ${spec.type}`);
    const buckets = spec.buckets ?? [];
    const les = [...buckets, Number.POSITIVE_INFINITY].map((bound) => `,le="${formatBound(bound)}"} `);
    for (const { tenantId, state } of series) {
      const labels = seriesLabels(tenantId, state);
      if (spec.type === 'counter') {
        lines.push(`${spec.name}{${labels}} ${number((state as CounterState).value)}`);
        continue;
      }
      const h = state as HistogramState;
      const bucketPrefix = `${spec.name}_bucket{${labels}`;
      let cumulative = 0;
      for (let i = 0; i <= buckets.length; i++) {
        cumulative += h.counts[i];
        let line = `${bucketPrefix}${les[i]}${cumulative}`;
        const ex = h.exemplars[i];
        if (openMetrics && ex) {
          line += ` # {traceID="${ex.traceId}",spanID="${ex.spanId}"} ${number(ex.value)} ${(ex.timestampMs / 1000).toFixed(3)}`;
        }
        lines.push(line);
      }
      lines.push(`${spec.name}_sum{${labels}} ${number(h.sum)}`);
      lines.push(`${spec.name}_count{${labels}} ${h.count}`);
    }
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
