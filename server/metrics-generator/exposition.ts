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

function labelText(labels: Record<string, string>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(`${name}="${escapeValue(value)}"`);
  return `{${parts.join(',')}}`;
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
    for (const { tenantId, state } of series) {
      const base = { tenant: tenantId, ...state.labels };
      if (spec.type === 'counter') {
        lines.push(`${spec.name}${labelText(base)} ${number((state as CounterState).value)}`);
        continue;
      }
      const h = state as HistogramState;
      const buckets = spec.buckets!;
      let cumulative = 0;
      for (let i = 0; i <= buckets.length; i++) {
        cumulative += h.counts[i];
        const le = formatBound(i < buckets.length ? buckets[i] : Number.POSITIVE_INFINITY);
        let line = `${spec.name}_bucket${labelText({ ...base, le })} ${cumulative}`;
        const ex = h.exemplars[i];
        if (openMetrics && ex) {
          line += ` # {traceID="${ex.traceId}",spanID="${ex.spanId}"} ${number(ex.value)} ${(ex.timestampMs / 1000).toFixed(3)}`;
        }
        lines.push(line);
      }
      lines.push(`${spec.name}_sum${labelText(base)} ${number(h.sum)}`);
      lines.push(`${spec.name}_count${labelText(base)} ${h.count}`);
    }
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
