import type { ExemplarTraceIdDestination } from '../api/client';
import type { ExemplarSeries, Labels } from './prometheus-api';

/** An exemplar ready to draw: epoch milliseconds and a number. */
export interface Exemplar {
  t: number;
  value: number;
  labels: Labels;
  seriesLabels: Labels;
}

/** Where clicking an exemplar goes: a trace pane beside the chart, or an external URL. */
export type ExemplarLink =
  | { kind: 'trace'; destination: string; traceId: string; spanId?: string }
  | { kind: 'url'; destination: string; href: string; label: string };

/** Grafana's placeholder for the label value in a URL destination (not a JS template). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's syntax, replaced below
const RAW_VALUE = '${__value.raw}';

/** The exemplars of a `query_exemplars` answer, in time order, without unreadable values. */
export function flattenExemplars(answer: readonly ExemplarSeries[]): Exemplar[] {
  const exemplars: Exemplar[] = [];
  for (const series of answer) {
    for (const raw of series.exemplars ?? []) {
      const value = Number.parseFloat(raw.value);
      const t = Number(raw.timestamp) * 1000;
      if (!Number.isFinite(value) || !Number.isFinite(t)) continue;
      exemplars.push({ t, value, labels: raw.labels ?? {}, seriesLabels: series.seriesLabels ?? {} });
    }
  }
  return exemplars.sort((a, b) => a.t - b.t);
}

/** The span an exemplar names, by OpenTelemetry's or Tempo's label. */
export function exemplarSpanId(labels: Labels): string | undefined {
  return labels.spanID ?? labels.span_id ?? labels.spanId;
}

/**
 * Links for an exemplar, one per configured destination whose label it carries (Grafana's
 * `exemplarTraceIdDestinations`): a `datasourceUid` opens the trace in a pane, a `url` is a
 * template where `${__value.raw}` stands for the label's value.
 * @example exemplarLinks({ trace_id: 'ab' }, [{ name: 'trace_id', datasourceUid: 'tempo' }])
 *   // → [{ kind: 'trace', destination: 'trace_id', traceId: 'ab' }]
 */
export function exemplarLinks(
  labels: Labels,
  destinations: readonly ExemplarTraceIdDestination[],
): ExemplarLink[] {
  const links: ExemplarLink[] = [];
  for (const destination of destinations) {
    const value = labels[destination.name];
    if (!value) continue;
    if (destination.url) {
      links.push({
        kind: 'url',
        destination: destination.name,
        href: destination.url.replaceAll(RAW_VALUE, encodeURIComponent(value)),
        label: destination.urlDisplayLabel || `Open ${destination.name}`,
      });
    } else if (destination.datasourceUid) {
      const spanId = exemplarSpanId(labels);
      links.push({
        kind: 'trace',
        destination: destination.name,
        traceId: value,
        ...(spanId ? { spanId } : {}),
      });
    }
  }
  return links;
}

/**
 * At most `max` exemplars, keeping the slowest of each time slice so outliers stay visible:
 * thousands of focusable dots would make the chart unusable, not more informative.
 */
export function thinExemplars(exemplars: readonly Exemplar[], max: number): Exemplar[] {
  if (exemplars.length <= max) return [...exemplars];
  const first = exemplars[0].t;
  const span = Math.max(exemplars[exemplars.length - 1].t - first, 1);
  const slices = new Map<number, Exemplar>();
  for (const exemplar of exemplars) {
    const slice = Math.min(max - 1, Math.floor(((exemplar.t - first) / span) * max));
    const kept = slices.get(slice);
    if (!kept || exemplar.value > kept.value) slices.set(slice, exemplar);
  }
  return [...slices.values()].sort((a, b) => a.t - b.t);
}
