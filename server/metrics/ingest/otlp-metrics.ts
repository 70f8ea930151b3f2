import type protobuf from 'protobufjs';
import { checkDecodeBudget } from '../../otlp/decode-budget';
import { OtlpDecodeError } from '../../otlp/errors';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import {
  findLabelOverLimit,
  type LabelLimits,
  type LabelLimitViolation,
  quotable,
} from '../../series-model/label-limits';
import { type Labels, labelsKey, sanitizeLabelName } from '../../series-model/labels';
import type { BatchSeries, Exemplar, SampleBatch } from '../../series-model/sample-batch';
import { prometheusMetricName } from './prometheus-names';

/* The decoded OTLP message is walked field by field; protobufjs gives plain objects with Longs. */
type Long = { toNumber(): number } | number | string;
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Long;
  doubleValue?: number;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpExemplar {
  filteredAttributes?: KeyValue[];
  timeUnixNano?: Long;
  asDouble?: number;
  asInt?: Long;
  spanId?: Uint8Array;
  traceId?: Uint8Array;
}
interface NumberPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Long;
  asDouble?: number;
  asInt?: Long;
  exemplars?: OtlpExemplar[];
  flags?: number;
}
interface HistogramPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Long;
  count?: Long;
  sum?: number;
  bucketCounts?: Long[];
  explicitBounds?: number[];
  exemplars?: OtlpExemplar[];
  flags?: number;
}
interface SummaryPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Long;
  count?: Long;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
  flags?: number;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: unknown[] };
  summary?: { dataPoints?: SummaryPoint[] };
}
interface OtlpRequest {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { metrics?: OtlpMetric[] }[];
  }[];
}

const TEMPORALITY_DELTA = 1;
const FLAG_NO_RECORDED_VALUE = 1;

const num = (v: Long | undefined): number =>
  v === undefined ? 0 : typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : v.toNumber();

function text(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(num(v.intValue));
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  return '';
}

/** Resource → `job` (`namespace/name`) and `instance`, as Prometheus's OTLP receiver does. */
function resourceLabels(attributes: KeyValue[] = []): Labels {
  const byKey = new Map(attributes.map((kv) => [kv.key, text(kv.value)]));
  const labels: Labels = {};
  const service = byKey.get('service.name');
  const namespace = byKey.get('service.namespace');
  if (service) labels.job = namespace ? `${namespace}/${service}` : service;
  const instance = byKey.get('service.instance.id');
  if (instance) labels.instance = instance;
  return labels;
}

function pointLabels(base: Labels, attributes: KeyValue[] = []): Labels {
  const labels: Labels = { ...base };
  for (const kv of attributes) {
    const value = text(kv.value);
    if (value !== '') labels[sanitizeLabelName(kv.key)] = value;
  }
  return labels;
}

function exemplarOf(e: OtlpExemplar): Exemplar {
  const labels: Labels = {};
  if (e.traceId?.length) labels.trace_id = Buffer.from(e.traceId).toString('hex');
  if (e.spanId?.length) labels.span_id = Buffer.from(e.spanId).toString('hex');
  for (const kv of e.filteredAttributes ?? []) labels[sanitizeLabelName(kv.key)] = text(kv.value);
  const value = e.asDouble !== undefined && e.asDouble !== null ? e.asDouble : num(e.asInt);
  return { labels, value, timestampMs: Math.floor(num(e.timeUnixNano) / 1e6) };
}

export interface TranslatedMetrics {
  batch: SampleBatch;
  /** Data points Loupe does not store (exponential histograms). */
  unsupportedPoints: number;
  /** Data points refused because a label name, or a label value, is over the limits. */
  refusedPoints: Record<LabelLimitViolation['kind'], number>;
  /** The first such label, for the partial-success message. */
  firstRefusal?: LabelLimitViolation & { metric: string };
  /** Histogram data points refused for having more buckets than `maxBuckets`, and the first. */
  tooManyBuckets: { points: number; first?: { metric: string; buckets: number } };
}

let dataPointType: Set<protobuf.Type> | undefined;
const dataPointTypes = (request: protobuf.Type) =>
  (dataPointType ??= new Set(
    ['NumberDataPoint', 'HistogramDataPoint', 'ExponentialHistogramDataPoint', 'SummaryDataPoint'].map(
      (name) => request.lookupType(`opentelemetry.proto.metrics.v1.${name}`),
    ),
  ));

/** No limits: every label is stored whatever its length. */
const UNLIMITED: LabelLimits = { maxNameBytes: 0, maxValueBytes: 0 };

/**
 * Turns an ExportMetricsServiceRequest into samples with Prometheus's naming. Delta sums and
 * histograms are added to `deltaTotals` (per series key) so they are stored cumulative. A data
 * point with a label name or value over `limits` is refused whole, as Mimir refuses its series;
 * an exemplar with such a label is dropped and its data point kept.
 */
export function translateOtlpMetrics(
  body: Uint8Array,
  deltaTotals: Map<string, number>,
  limits: LabelLimits = UNLIMITED,
  maxBuckets = 0,
): TranslatedMetrics {
  const type = otlpProtoTypes().ExportMetricsServiceRequest;
  checkDecodeBudget(type, body, { items: dataPointTypes(type), itemName: 'data points' });
  let request: OtlpRequest;
  try {
    request = type.decode(body) as unknown as OtlpRequest;
  } catch (err) {
    throw new OtlpDecodeError(`malformed ExportMetricsServiceRequest: ${(err as Error).message}`);
  }
  const series = new Map<string, BatchSeries>();
  let unsupportedPoints = 0;
  const refusedPoints = { name: 0, value: 0 };
  let firstRefusal: TranslatedMetrics['firstRefusal'];
  const tooManyBuckets: TranslatedMetrics['tooManyBuckets'] = { points: 0 };
  /** Whether a data point's labels (with the longest name it is stored under) are within the limits. */
  const fits = (metric: string, labels: Labels): boolean => {
    const violation = findLabelOverLimit({ __name__: metric, ...labels }, limits);
    if (!violation) return true;
    refusedPoints[violation.kind]++;
    firstRefusal ??= { ...violation, metric };
    return false;
  };
  const exemplarsOf = (p: { exemplars?: OtlpExemplar[] }) =>
    (p.exemplars ?? []).map(exemplarOf).filter((e) => !findLabelOverLimit(e.labels, limits));
  const add = (labels: Labels, tMs: number, value: number, exemplars?: Exemplar[], deltaKey?: string) => {
    const key = labelsKey(labels);
    let v = value;
    if (deltaKey !== undefined) {
      v = (deltaTotals.get(key) ?? 0) + value;
      deltaTotals.set(key, v);
    }
    let s = series.get(key);
    if (!s) {
      s = { labels, timestamps: [], values: [], exemplars: [] };
      series.set(key, s);
    }
    s.timestamps.push(tMs);
    s.values.push(v);
    if (exemplars) s.exemplars!.push(...exemplars);
  };
  for (const rm of request.resourceMetrics ?? []) {
    const base = resourceLabels(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const unit = metric.unit ?? '';
        if (metric.gauge || metric.sum) {
          // Non-monotonic sums are gauges in Prometheus; monotonic ones are counters (`_total`).
          const kind = metric.gauge || !metric.sum!.isMonotonic ? 'gauge' : 'counter';
          const name = prometheusMetricName(metric.name, unit, kind);
          const delta = metric.sum?.aggregationTemporality === TEMPORALITY_DELTA;
          for (const p of (metric.gauge ?? metric.sum)!.dataPoints ?? []) {
            if ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) continue;
            const labels = pointLabels(base, p.attributes);
            if (!fits(name, labels)) continue;
            const value = p.asDouble !== undefined && p.asDouble !== null ? p.asDouble : num(p.asInt);
            add({ __name__: name, ...labels }, msOf(p), value, exemplarsOf(p), delta ? '' : undefined);
          }
        } else if (metric.histogram) {
          const name = prometheusMetricName(metric.name, unit, 'histogram');
          const delta = metric.histogram.aggregationTemporality === TEMPORALITY_DELTA ? '' : undefined;
          for (const p of metric.histogram.dataPoints ?? []) {
            if ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) continue;
            const bounds = p.explicitBounds ?? [];
            // Every bucket is a series: 100,000 bounds in one 1.5 MB point would be 100,000 series.
            // Refused whole rather than merged: merged buckets would answer quantiles wrongly.
            if (maxBuckets > 0 && bounds.length + 1 > maxBuckets) {
              tooManyBuckets.points++;
              tooManyBuckets.first ??= { metric: name, buckets: bounds.length + 1 };
              continue;
            }
            const labels = pointLabels(base, p.attributes);
            if (!fits(`${name}_bucket`, labels)) continue;
            const t = msOf(p);
            const counts = (p.bucketCounts ?? []).map(num);
            const exemplars = exemplarsOf(p);
            let cumulative = 0;
            for (let i = 0; i <= bounds.length; i++) {
              cumulative += counts[i] ?? 0;
              const upper = i < bounds.length ? bounds[i] : Number.POSITIVE_INFINITY;
              const lower = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1];
              const inBucket = exemplars.filter((e) => e.value > lower && e.value <= upper);
              const le = i < bounds.length ? String(upper) : '+Inf';
              add({ __name__: `${name}_bucket`, ...labels, le }, t, cumulative, inBucket, delta);
            }
            add({ __name__: `${name}_sum`, ...labels }, t, p.sum ?? 0, undefined, delta);
            add({ __name__: `${name}_count`, ...labels }, t, num(p.count), undefined, delta);
          }
        } else if (metric.summary) {
          const name = prometheusMetricName(metric.name, unit, 'gauge').replace(/_ratio$/, '');
          for (const p of metric.summary.dataPoints ?? []) {
            if ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) continue;
            const labels = pointLabels(base, p.attributes);
            if (!fits(`${name}_count`, labels)) continue;
            const t = msOf(p);
            for (const q of p.quantileValues ?? []) {
              add({ __name__: name, ...labels, quantile: String(q.quantile ?? 0) }, t, q.value ?? 0);
            }
            add({ __name__: `${name}_sum`, ...labels }, t, p.sum ?? 0);
            add({ __name__: `${name}_count`, ...labels }, t, num(p.count));
          }
        } else if (metric.exponentialHistogram) {
          unsupportedPoints += metric.exponentialHistogram.dataPoints?.length ?? 0;
        }
      }
    }
  }
  return {
    batch: { series: [...series.values()] },
    unsupportedPoints,
    refusedPoints,
    firstRefusal,
    tooManyBuckets,
  };
}

/**
 * The partial-success message for data points refused by the label limits, naming the first
 * label and the limit (names and values quoted cut short: the value may be megabytes).
 */
export function labelLimitMessage(
  refused: number,
  first: NonNullable<TranslatedMetrics['firstRefusal']>,
): string {
  const what =
    first.kind === 'name'
      ? `label name ${quotable(first.name)} is ${first.bytes} bytes, over the limit of ${first.limit} (metrics.max_label_name_length)`
      : `label ${quotable(first.name)} has a value of ${first.bytes} bytes, over the limit of ${first.limit} (metrics.max_label_value_length): ${quotable(first.value)}`;
  return `${refused} data points refused for labels over the length limits; first, in ${quotable(first.metric)}: ${what}`;
}

/** The partial-success message for histogram data points over `metrics.max_histogram_buckets`. */
export function tooManyBucketsMessage(tooMany: TranslatedMetrics['tooManyBuckets'], limit: number): string {
  const first = tooMany.first!;
  return `${tooMany.points} histogram data points refused for too many buckets; first, ${quotable(first.metric)} has ${first.buckets} buckets, over the limit of ${limit} (metrics.max_histogram_buckets): use fewer explicit bounds`;
}

function msOf(p: { timeUnixNano?: Long }): number {
  const ms = Math.floor(num(p.timeUnixNano) / 1e6);
  return ms > 0 ? ms : Date.now();
}
