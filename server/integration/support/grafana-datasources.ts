import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { fetchTrace } from './clients';
import { type LokiStreamsResponse, lokiGet } from './logs-client';
import type { PromVectorItem } from './metrics-api';
import type { FlatSpan, TypedValue } from './tempo-json';

/**
 * A Grafana data-source provisioning file read as Grafana reads it, and the parts of Grafana's
 * data sources that turn its settings into requests: `$VAR` expansion, `${name}` variables in
 * links and queries, a span's tags as `label="value"`, the traces-to-logs query and time shift,
 * derived fields, the service graph's queries, and each data source's API called at a test's
 * Loupe instead of Grafana's host for it (the Prometheus one with its `httpMethod`). For tests that
 * make every call such a file implies against a real Loupe.
 */

export interface DataSource {
  name: string;
  type: string;
  uid: string;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: provisioning jsonData is free-form YAML
  jsonData: Record<string, any>;
}

export interface ProvisioningFile {
  apiVersion: number;
  datasources: DataSource[];
}

/** Grafana expands `$VAR`/`${VAR}` from the environment in provisioning files and reads `$$` as `$`. */
export function expandLikeGrafana(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$|\{?[A-Za-z_])/g, (match, next: string) => {
      if (next === '$') return '$';
      throw new Error(`"${value}" would be expanded as an environment variable by Grafana (${match}…)`);
    });
  }
  if (Array.isArray(value)) return value.map(expandLikeGrafana);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandLikeGrafana(v)]));
  }
  return value;
}

/** The file at `path`, parsed and expanded as Grafana does at startup. */
function readProvisioningFile(path: string): ProvisioningFile {
  return expandLikeGrafana(parse(readFileSync(path, 'utf8'))) as ProvisioningFile;
}

/** The data source a link names by `uid`, which must be of `type`. */
function dataSourceByUid(file: ProvisioningFile, uid: string | undefined, type: string): DataSource {
  const found = file.datasources.find((d) => d.uid === uid);
  if (!found) throw new Error(`no data source with uid ${uid} in the provisioning file`);
  expect(found.type, `data source ${uid}`).toBe(type);
  return found;
}

/** The file's one data source of `type`. */
function onlyDataSource(file: ProvisioningFile, type: string): DataSource {
  const all = file.datasources.filter((d) => d.type === type);
  expect(all, `${type} data sources`).toHaveLength(1);
  return all[0];
}

/** The data source's URL with Grafana's view of the host (`grafanaHost`) replaced by `base`. */
function rebasedUrl(ds: DataSource, grafanaHost: string, base: string): string {
  expect(ds.url.startsWith(grafanaHost), `${ds.uid} url ${ds.url}`).toBe(true);
  return base + ds.url.slice(grafanaHost.length);
}

/** Grafana's `${name}` variables in a link or query, from `vars`; one without a value fails. */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (vars[name] === undefined) throw new Error(`no value for the variable ${name} in ${text}`);
    return vars[name];
  });
}

/** A span's tags as Grafana's trace view has them: resource attributes, then span attributes. */
function spanTags(span: FlatSpan): [string, string][] {
  return [...Object.entries(span.resource), ...Object.entries(span.attributes)].map(([k, v]) => [
    k,
    String(Object.values(v as TypedValue)[0]),
  ]);
}

/** Grafana's `tags` mapping: `label="value"` for each configured tag the span has, joined by ", ". */
export function formatTags(span: FlatSpan, tags: { key: string; value?: string }[]): string {
  const have = spanTags(span);
  return tags
    .flatMap((t) => have.filter(([k]) => k === t.key).map(([, v]) => `${t.value || t.key}="${v}"`))
    .join(', ');
}

/**
 * Grafana's tracesToLogsV2 link without a custom query: `{<tags>} |="<trace ID>"` (with
 * `filterByTraceID`), over the span's time range moved by `spanStartTimeShift`/`spanEndTimeShift`
 * (unix ms).
 */
export function tracesToLogsQuery(
  span: FlatSpan,
  cfg: { tags: { key: string; value?: string }[]; spanStartTimeShift: string; spanEndTimeShift: string },
): { expr: string; startMs: number; endMs: number } {
  const shiftMs = (s: string) => Number(/^(-?\d+)m$/.exec(s)?.[1]) * 60_000;
  return {
    expr: `{${formatTags(span, cfg.tags)}} |="${span.traceId}"`,
    startMs: Number(BigInt(span.startTimeUnixNano) / 1_000_000n) + shiftMs(cfg.spanStartTimeShift),
    endMs: Number(BigInt(span.endTimeUnixNano) / 1_000_000n) + shiftMs(cfg.spanEndTimeShift),
  };
}

interface DerivedField {
  matcherType?: string;
  matcherRegex: string;
  datasourceUid: string;
  url: string;
}

/** The Loki data source's derived field that matches a line by regex, or one that matches a label. */
export function derivedField(loki: DataSource, kind: 'regex' | 'label'): DerivedField {
  const fields: DerivedField[] = loki.jsonData.derivedFields;
  const found = fields.find((f) => (f.matcherType === 'label') === (kind === 'label'));
  if (!found) throw new Error(`no ${kind} derived field on ${loki.uid}`);
  return found;
}

/** Grafana's label matcher: the first label (stream, structured metadata, parsed) whose key matches. */
export function matchLabel(
  field: DerivedField,
  entry: {
    labels: Record<string, string>;
    extra?: { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> };
  },
): { key: string | undefined; value: string | undefined } {
  const labels = { ...entry.labels, ...entry.extra?.structuredMetadata, ...entry.extra?.parsed };
  const key = Object.keys(labels).find((k) => new RegExp(field.matcherRegex).test(k));
  return { key, value: key === undefined ? undefined : labels[key] };
}

/** The series Grafana's service graph reads, and what it asks of each (makePromServiceMapRequest). */
export const SERVICE_GRAPH_METRICS = [
  'traces_service_graph_request_server_seconds_sum',
  'traces_service_graph_request_total',
  'traces_service_graph_request_failed_total',
  'traces_service_graph_request_server_seconds_bucket',
];
export const serviceMapQueries = (metric: string, range: string) => ({
  rates: `sum by (client, server) (rate(${metric}[${range}]))`,
  edges: `group by (client, connection_type, server) (${metric})`,
});
/** The Service Graph view's table: rate, errors and p90 duration by span name (`spanName`'s, for the last). */
export function serviceGraphTableQueries(range: string, spanName: string): string[] {
  const server = 'span_kind="SPAN_KIND_SERVER"';
  return [
    `topk(5, sum(rate(traces_spanmetrics_calls_total{${server}}[${range}])) by (span_name))`,
    `topk(5, sum(rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR",${server}}[${range}])) by (span_name))`,
    `histogram_quantile(.9, sum(rate(traces_spanmetrics_latency_bucket{${server},span_name="${spanName}"}[${range}])) by (le))`,
  ];
}

/**
 * A provisioning file's data sources as Grafana calls them, Grafana's host for Loupe
 * (`grafanaHost`, in every URL of the file) replaced by a test's Loupe (`loupeApi()`).
 */
export class GrafanaDataSources {
  readonly file: ProvisioningFile;

  constructor(
    path: string,
    private readonly grafanaHost: string,
    private readonly loupeApi: () => string,
  ) {
    this.file = readProvisioningFile(path);
  }

  byUid(uid: string | undefined, type: string): DataSource {
    return dataSourceByUid(this.file, uid, type);
  }

  only(type: string): DataSource {
    return onlyDataSource(this.file, type);
  }

  /** The data source's URL, at the test's Loupe. */
  baseOf(ds: DataSource): string {
    return rebasedUrl(ds, this.grafanaHost, this.loupeApi());
  }

  /** What Grafana shows after following a link to `uid` with `traceId`: the trace (v2, protobuf). */
  async openTrace(uid: string, traceId: string): Promise<FlatSpan[]> {
    const answer = await fetchTrace(this.baseOf(this.byUid(uid, 'tempo')), traceId, 'v2-proto');
    expect(answer.httpStatus).toBe(200);
    expect(answer.spans.length, `spans of trace ${traceId}`).toBeGreaterThan(0);
    expect(new Set(answer.spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    return answer.spans;
  }

  /** A Loki API call through a Loki data source, which must answer 200. */
  async loki<T = LokiStreamsResponse>(
    ds: DataSource,
    path: string,
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await lokiGet<T>(this.baseOf(ds), path, params, headers);
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    return res.json();
  }

  /** A Prometheus API call (`data` of its answer) as Grafana makes it, with the data source's `httpMethod`. */
  // biome-ignore lint/suspicious/noExplicitAny: the `data` of a Prometheus API answer, typed by the caller
  async prom(ds: DataSource, path: string, params: Record<string, string>): Promise<any> {
    const body = new URLSearchParams(params).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const base = this.baseOf(ds);
    const res = await (ds.jsonData.httpMethod === 'GET'
      ? fetch(`${base}/api/v1/${path}?${body}`)
      : fetch(`${base}/api/v1/${path}`, { method: 'POST', headers: form, body }));
    const text = await res.text();
    expect(res.status, `${path} ${params.query}: ${text}`).toBe(200);
    return JSON.parse(text).data;
  }

  /** An instant query at the current time. */
  async instant(ds: DataSource, query: string): Promise<PromVectorItem[]> {
    return (await this.prom(ds, 'query', { query, time: String(Date.now() / 1000) })).result;
  }
}
