import type {
  Attributes,
  AttributeValue,
  SearchEvent,
  SearchLink,
  SearchSpan,
  SearchTrace,
  TraceSampling,
} from '../../search-model/search-trace';
import { EMPTY_ATTRIBUTES, searchTraceOf } from '../../search-model/search-trace';
import { COLUMN } from './search-layout';
import type { SearchSummary } from './search-summary';
import type { ColumnValues } from './sidecar-reader';

/** Which attributes a search needs of each span: named keys, or every one ('all'). */
export interface ColumnNeeds {
  spanKeys: ReadonlySet<string> | 'all';
  resourceKeys: ReadonlySet<string> | 'all';
  statusMessage: boolean;
  events: boolean;
  links: boolean;
}

/** Every attribute and every optional column: a whole trace's worth. */
export const ALL_COLUMNS: ColumnNeeds = {
  spanKeys: 'all',
  resourceKeys: 'all',
  statusMessage: true,
  events: true,
  links: true,
};

/** Read for every search: what a trace's identity, tree, root and service stats are made of. */
const CORE_COLUMNS = [
  COLUMN.traceId,
  COLUMN.spanId,
  COLUMN.parentSpanId,
  COLUMN.service,
  COLUMN.name,
  COLUMN.kind,
  COLUMN.statusCode,
  COLUMN.start,
  COLUMN.duration,
  COLUMN.samplingPolicy,
  COLUMN.samplingReason,
];

interface AttributeSource {
  key: string;
  column: string;
}

interface Plan {
  columns: string[];
  span: AttributeSource[];
  resource: AttributeSource[];
  /** Read the scope's JSON column: some needed key lives there (or every key is needed). */
  spanOther: boolean;
  resourceOther: boolean;
  spanOtherKeys: ReadonlySet<string> | 'all';
  resourceOtherKeys: ReadonlySet<string> | 'all';
}

/** The columns to read for `needs`, given where this block put each key. */
export function planColumns(needs: ColumnNeeds, summary: SearchSummary): Plan {
  const columns: string[] = [...CORE_COLUMNS];
  if (needs.statusMessage) columns.push(COLUMN.statusMessage);
  if (needs.events) columns.push(COLUMN.events);
  if (needs.links) columns.push(COLUMN.links);
  const scoped = (scope: 'span' | 'resource', keys: ReadonlySet<string> | 'all') => {
    const sources: AttributeSource[] = [];
    let other = keys === 'all';
    const otherKeys = new Set<string>();
    const known = summary.attributes[scope];
    const wanted = keys === 'all' ? Object.keys(known) : [...keys];
    for (const key of wanted) {
      const found = known[key];
      if (!found) continue;
      if (found.column) sources.push({ key, column: found.column });
      if (!found.column || found.alsoInJson) {
        other = true;
        otherKeys.add(key);
      }
    }
    for (const source of sources) columns.push(source.column);
    return { sources, other, otherKeys: keys === 'all' ? ('all' as const) : otherKeys };
  };
  const span = scoped('span', needs.spanKeys);
  const resource = scoped('resource', needs.resourceKeys);
  if (span.other) columns.push(COLUMN.spanOther);
  if (resource.other) columns.push(COLUMN.resourceOther);
  return {
    columns,
    span: span.sources,
    resource: resource.sources,
    spanOther: span.other,
    resourceOther: resource.other,
    spanOtherKeys: span.otherKeys,
    resourceOtherKeys: resource.otherKeys,
  };
}

/**
 * Rebuilds the traces of rows [0, rowCount) of `values` (whole traces: row groups and the ranges
 * searches ask for never cut one). Resource attributes are shared between consecutive spans of
 * the same resource, as the OTLP decoder shares them.
 */
export function tracesFromColumns(values: ColumnValues, rowCount: number, plan: Plan): SearchTrace[] {
  const col = (name: string) => values.get(name) as ArrayLike<unknown> | undefined;
  const traceIds = col(COLUMN.traceId) as ArrayLike<string>;
  const spanIds = col(COLUMN.spanId) as ArrayLike<string>;
  const parents = col(COLUMN.parentSpanId) as ArrayLike<string>;
  const services = col(COLUMN.service) as ArrayLike<string>;
  const names = col(COLUMN.name) as ArrayLike<string>;
  const kinds = col(COLUMN.kind) as ArrayLike<number>;
  const statuses = col(COLUMN.statusCode) as ArrayLike<number>;
  const starts = col(COLUMN.start) as ArrayLike<bigint>;
  const durations = col(COLUMN.duration) as ArrayLike<bigint>;
  const messages = col(COLUMN.statusMessage) as ArrayLike<string | null> | undefined;
  const events = col(COLUMN.events) as ArrayLike<unknown> | undefined;
  const links = col(COLUMN.links) as ArrayLike<unknown> | undefined;
  const samplingPolicies = col(COLUMN.samplingPolicy) as ArrayLike<string | null> | undefined;
  const samplingReasons = col(COLUMN.samplingReason) as ArrayLike<string | null> | undefined;
  // Trace-level: the same value on each of a trace's rows (blocks from before the column: none).
  const samplingAt = (row: number): TraceSampling | undefined => {
    const policy = samplingPolicies?.[row];
    return policy === null || policy === undefined
      ? undefined
      : { policy, reason: samplingReasons?.[row] ?? 'sampled' };
  };
  const spanOther = plan.spanOther ? col(COLUMN.spanOther) : undefined;
  const resourceOther = plan.resourceOther ? col(COLUMN.resourceOther) : undefined;
  const spanColumns = plan.span.map((s) => ({ key: s.key, values: col(s.column) }));
  const resourceColumns = plan.resource.map((s) => ({ key: s.key, values: col(s.column) }));

  const traces: SearchTrace[] = [];
  let spans: SearchSpan[] = [];
  let lastResource: Attributes = EMPTY_ATTRIBUTES;
  for (let row = 0; row < rowCount; row++) {
    if (row > 0 && traceIds[row] !== traceIds[row - 1]) {
      traces.push(searchTraceOf(traceIds[row - 1], spans, samplingAt(row - 1)));
      spans = [];
    }
    const attributes = attributesAt(row, spanColumns, spanOther, plan.spanOtherKeys);
    // Consecutive spans of one resource read the same values: share one object instead of
    // building (and holding) one per span, as the OTLP decoder shares them.
    if (row === 0 || !sameRow(row, resourceColumns, resourceOther)) {
      lastResource = attributesAt(row, resourceColumns, resourceOther, plan.resourceOtherKeys);
    }
    spans.push({
      spanId: spanIds[row],
      parentSpanId: parents[row],
      name: names[row],
      serviceName: services[row],
      kind: kinds[row],
      statusCode: statuses[row],
      statusMessage: messages?.[row] ?? '',
      startUnixNano: BigInt(starts[row]),
      durationNanos: Number(durations[row]),
      attributes,
      resource: lastResource,
      events: events?.[row] ? parseEvents(events[row]) : [],
      links: links?.[row] ? parseLinks(links[row]) : [],
    });
  }
  if (rowCount > 0) traces.push(searchTraceOf(traceIds[rowCount - 1], spans, samplingAt(rowCount - 1)));
  return traces;
}

/** Whether `row` holds the same values as the row before it in every one of these columns. */
function sameRow(
  row: number,
  columns: { values: ArrayLike<unknown> | undefined }[],
  other: ArrayLike<unknown> | undefined,
): boolean {
  for (const { values } of columns) if (values && values[row] !== values[row - 1]) return false;
  // JSON values are parsed objects, never equal by reference: only rows without any share.
  return !other || (other[row] == null && other[row - 1] == null);
}

function attributesAt(
  row: number,
  columns: { key: string; values: ArrayLike<unknown> | undefined }[],
  other: ArrayLike<unknown> | undefined,
  otherKeys: ReadonlySet<string> | 'all',
): Attributes {
  let out: Map<string, AttributeValue> | undefined;
  for (const { key, values } of columns) {
    const value = values?.[row];
    if (value === null || value === undefined) continue;
    out ??= new Map();
    out.set(key, typeof value === 'bigint' ? Number(value) : (value as AttributeValue));
  }
  const json = other?.[row];
  if (json) {
    for (const [key, value] of Object.entries(parseJson(json) as Record<string, AttributeValue>)) {
      if (otherKeys !== 'all' && !otherKeys.has(key)) continue;
      out ??= new Map();
      out.set(key, value);
    }
  }
  return out ?? EMPTY_ATTRIBUTES;
}

/** hyparquet hands JSON columns over parsed; accept text too. */
function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function parseEvents(value: unknown): SearchEvent[] {
  return (
    parseJson(value) as { name: string; time: string; attributes: Record<string, AttributeValue> }[]
  ).map((event) => ({
    name: event.name,
    timeUnixNano: BigInt(event.time),
    attributes: new Map(Object.entries(event.attributes)),
  }));
}

function parseLinks(value: unknown): SearchLink[] {
  return (
    parseJson(value) as { traceId: string; spanId: string; attributes: Record<string, AttributeValue> }[]
  ).map((link) => ({
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: new Map(Object.entries(link.attributes)),
  }));
}
