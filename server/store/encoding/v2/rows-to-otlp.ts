import { encodeSamplingNote } from '../../../otlp/sampling-note';
import type { AttributeValue } from '../../../search-model/search-trace';
import type { ParquetLayout, RowValues } from '../../search/parquet/row-range-reader';
import { COLUMN } from '../../search/search-layout';
import type { TraceRecord } from '../../types';
import { type ColumnSpan, rebuildSpan, rebuildTracesData } from './span-residue';

/** The columns a span's OTLP is rebuilt from (resource attributes come whole from `otlp_resource`). */
const FIXED_LOOKUP_COLUMNS = [
  COLUMN.traceId,
  COLUMN.spanId,
  COLUMN.parentSpanId,
  COLUMN.name,
  COLUMN.kind,
  COLUMN.statusCode,
  COLUMN.statusMessage,
  COLUMN.start,
  COLUMN.duration,
  COLUMN.samplingPolicy,
  COLUMN.samplingReason,
  COLUMN.spanOther,
  COLUMN.resourcePart,
  COLUMN.scopePart,
  COLUMN.residue,
];

const SPAN_COLUMN_PREFIX = 'span.';

/** Every column a trace's rows are read from: the fixed ones and this file's `span.*` columns. */
export function lookupColumns(layout: ParquetLayout): string[] {
  return [
    ...FIXED_LOOKUP_COLUMNS,
    ...layout.columns.filter((c) => c.name.startsWith(SPAN_COLUMN_PREFIX)).map((c) => c.name),
  ];
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * The traces of `rows` consecutive rows (whole traces, in row order) as `TraceRecord`s: each
 * span's OTLP rebuilt from its columns and residue, grouped under its resource and scope, and the
 * trace's sampling note (`otlp/sampling-note.ts`) appended when tail sampling kept it.
 */
export function tracesFromRows(values: ReadonlyMap<string, RowValues>, rows: number): TraceRecord[] {
  const column = (name: string): RowValues => {
    const found = values.get(name);
    if (!found) throw new Error(`column ${name} was not read`);
    return found;
  };
  const traceIds = column(COLUMN.traceId) as Uint8Array[];
  const spanIds = column(COLUMN.spanId) as Uint8Array[];
  const parents = column(COLUMN.parentSpanId) as (Uint8Array | null)[];
  const names = column(COLUMN.name) as string[];
  const kinds = column(COLUMN.kind) as number[];
  const statuses = column(COLUMN.statusCode) as number[];
  const messages = column(COLUMN.statusMessage) as (string | null)[];
  const starts = column(COLUMN.start) as bigint[];
  const durations = column(COLUMN.duration) as bigint[];
  const policies = column(COLUMN.samplingPolicy) as (string | null)[];
  const reasons = column(COLUMN.samplingReason) as (string | null)[];
  const other = column(COLUMN.spanOther) as (Record<string, AttributeValue> | null)[];
  const resources = column(COLUMN.resourcePart) as Uint8Array[];
  const scopes = column(COLUMN.scopePart) as Uint8Array[];
  const residues = column(COLUMN.residue) as Uint8Array[];
  const dedicated = [...values.entries()]
    .filter(([name]) => name.startsWith(SPAN_COLUMN_PREFIX))
    .map(([name, data]) => ({ key: name.slice(SPAN_COLUMN_PREFIX.length), data }));

  const out: TraceRecord[] = [];
  let first = 0;
  while (first < rows) {
    let end = first + 1;
    while (end < rows && Buffer.compare(traceIds[end], traceIds[first]) === 0) end++;
    const traceId = hex(traceIds[first]);
    const spans: { resource: Uint8Array; scope: Uint8Array; span: Uint8Array }[] = [];
    let startNs = Number.POSITIVE_INFINITY;
    let endNs = Number.NEGATIVE_INFINITY;
    for (let row = first; row < end; row++) {
      const attributes = new Map<string, AttributeValue>();
      for (const { key, data } of dedicated) {
        const value = data[row];
        if (value !== null && value !== undefined)
          attributes.set(key, typeof value === 'bigint' ? Number(value) : (value as AttributeValue));
      }
      const json = other[row];
      if (json) for (const key of Object.keys(json)) attributes.set(key, json[key]);
      const parent = parents[row];
      const span: ColumnSpan = {
        traceId,
        spanId: hex(spanIds[row]),
        parentSpanId: parent ? hex(parent) : '',
        name: names[row],
        kind: kinds[row],
        statusCode: statuses[row],
        statusMessage: messages[row] ?? '',
        startUnixNano: starts[row],
        durationNanos: Number(durations[row]),
        attributes,
      };
      const startMsNs = Number(span.startUnixNano);
      startNs = Math.min(startNs, startMsNs);
      endNs = Math.max(endNs, startMsNs + span.durationNanos);
      spans.push({ resource: resources[row], scope: scopes[row], span: rebuildSpan(span, residues[row]) });
    }
    const data = rebuildTracesData(spans);
    const policy = policies[first];
    out.push({
      traceId: Buffer.from(traceIds[first]),
      data:
        policy === null
          ? data
          : Buffer.concat([data, encodeSamplingNote({ policy, reason: reasons[first] ?? 'sampled' })]),
      spanCount: end - first,
      startMs: startNs / 1e6,
      endMs: endNs / 1e6,
      truncated: false,
    });
    first = end;
  }
  return out;
}
