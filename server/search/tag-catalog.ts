import type { SearchableUnflushedSource } from '../query/unflushed-source';
import type { QueryDeadline } from '../query-guards/deadline';
import { searchTraceFromOtlp } from '../search-model/otlp-to-search';
import type { FieldRef } from '../search-model/prefilter';
import type { SearchQuery } from '../search-model/search-query';
import type { AttributeValue, SearchSpan, SearchTrace } from '../search-model/search-trace';
import type { BlockEntry } from '../store/blocklist';
import { COLUMN } from '../store/search/search-layout';
import type { AttributeScope } from '../store/search/search-summary';
import { typeOf } from '../store/search/sidecar-columns';
import type { TraceSearch } from './trace-search';

export const INTRINSIC_TAGS = [
  'duration',
  'event:name',
  'kind',
  'name',
  'rootName',
  'rootServiceName',
  'span:id',
  'status',
  'statusMessage',
  'trace:id',
  'traceDuration',
];
/** Row groups read at once when a key's values come from its column. */
const GROUPS_PER_READ = 8;

/** Intrinsics whose values a sidecar column holds. */
const INTRINSIC_COLUMNS: Record<string, string> = {
  name: COLUMN.name,
  rootName: COLUMN.rootName,
  rootServiceName: COLUMN.rootService,
  statusMessage: COLUMN.statusMessage,
};
const SCOPES: readonly AttributeScope[] = ['span', 'resource', 'event', 'link'];
const KEYWORDS: Record<string, string[]> = {
  status: ['error', 'ok', 'unset'],
  kind: ['client', 'consumer', 'internal', 'producer', 'server', 'unspecified'],
};
/** Unflushed traces read for tag names and values without a query (newest first). */
const UNFLUSHED_SAMPLE = 2_000;
/** Matching traces a tag question with a query looks at (newest first). */
const QUERY_SAMPLE = 1_000;

interface DecodedTrace {
  spanCount: number;
  trace: SearchTrace;
}

export interface TypedValue {
  type: string;
  value: string;
}

export interface TagOptions {
  query?: SearchQuery;
  startMs?: number;
  endMs?: number;
}

/** A tag as the v2 API names it (`resource.service.name`, `span.http.method`, `.foo`, `status`), or v1's bare key. */
export function parseTagName(name: string): FieldRef {
  if (INTRINSIC_TAGS.includes(name)) return { scope: 'intrinsic', name };
  for (const scope of SCOPES)
    if (name.startsWith(`${scope}.`)) return { scope, name: name.slice(scope.length + 1) };
  return { scope: 'unscoped', name: name.startsWith('.') ? name.slice(1) : name };
}

/**
 * Tag names and values for autocompletion (Tempo's `/api/search/tag*`), from the blocks' search
 * summaries (no Parquet read for names or low-cardinality values), the unflushed traces, and —
 * for a key with more distinct values than a summary keeps — the key's column, newest row group
 * first, until the answer's byte cap. With a query, from the spans of its newest matches instead.
 */
export class TagCatalog {
  /** Per tenant, the unflushed traces the last tag question decoded (`unflushedSample`). */
  private readonly decoded = new Map<string, Map<string, DecodedTrace>>();

  constructor(
    private readonly deps: {
      unflushed: SearchableUnflushedSource;
      blocks: { blocks(tenantId: string): BlockEntry[] };
      search: TraceSearch;
    },
  ) {}

  async tagNames(
    tenantId: string,
    options: TagOptions & { maxNames: number },
    deadline: QueryDeadline,
  ): Promise<Record<AttributeScope, string[]>> {
    const names: Record<AttributeScope, Set<string>> = {
      span: new Set(),
      resource: new Set(),
      event: new Set(),
      link: new Set(),
    };
    const addSpan = (span: SearchSpan) => {
      for (const key of span.attributes.keys()) names.span.add(key);
      for (const key of span.resource.keys()) names.resource.add(key);
      for (const event of span.events) for (const key of event.attributes.keys()) names.event.add(key);
      for (const link of span.links) for (const key of link.attributes.keys()) names.link.add(key);
    };
    if (options.query) {
      const query = { ...options.query, fields: { ...options.query.fields, allAttributes: true } };
      for (const span of await this.matchedSpans(tenantId, query, options, deadline)) addSpan(span);
    } else {
      for (const entry of this.blocksInRange(tenantId, options)) {
        const summary = await entry.search!.summary();
        for (const scope of SCOPES)
          for (const key of Object.keys(summary.attributes[scope])) names[scope].add(key);
        await deadline.checkpoint();
      }
      for await (const trace of this.unflushedSample(tenantId, options))
        for (const span of trace.spans) addSpan(span);
    }
    const sorted = (set: Set<string>) => [...set].sort().slice(0, options.maxNames);
    return {
      span: sorted(names.span),
      resource: sorted(names.resource),
      event: sorted(names.event),
      link: sorted(names.link),
    };
  }

  async tagValues(
    tenantId: string,
    tag: FieldRef,
    options: TagOptions & { maxBytes: number },
    deadline: QueryDeadline,
  ): Promise<{ values: TypedValue[]; capped: boolean }> {
    const collected = new Collector(options.maxBytes);
    if (tag.scope === 'intrinsic' && KEYWORDS[tag.name]) {
      for (const keyword of KEYWORDS[tag.name]) collected.add({ type: 'keyword', value: keyword });
      return collected.result();
    }
    const valuesOf = (span: SearchSpan, trace: SearchTrace): AttributeValue[] => spanValues(tag, span, trace);
    if (options.query) {
      const fields = options.query.fields;
      const query = {
        ...options.query,
        fields: {
          ...fields,
          refs: [...fields.refs, tag],
          events: fields.events || tag.scope === 'event' || tag.name === 'event:name',
          links: fields.links || tag.scope === 'link',
        },
      };
      for (const trace of await this.matchingTraces(tenantId, query, options, deadline)) {
        for (const span of trace.spans)
          for (const value of valuesOf(span, trace))
            if (!collected.addValue(value)) return collected.result();
      }
      return collected.result();
    }
    for await (const trace of this.unflushedSample(tenantId, options)) {
      for (const span of trace.spans)
        for (const value of valuesOf(span, trace)) if (!collected.addValue(value)) return collected.result();
    }
    for (const entry of this.blocksInRange(tenantId, options)) {
      const summary = await entry.search!.summary();
      const scopes: AttributeScope[] =
        tag.scope === 'unscoped'
          ? ['span', 'resource']
          : tag.scope === 'intrinsic' || tag.scope === 'trace'
            ? []
            : [tag.scope];
      const sets = scopes
        .map((scope) => ({ scope, key: summary.attributes[scope][tag.name] }))
        .filter((s) => s.key);
      // Span names come from the summary while there are few; root names and services from
      // their columns (the summary's services are every span's, not only roots').
      if (tag.scope === 'intrinsic' && tag.name === 'event:name') {
        for (const value of summary.eventNames?.values ?? [])
          if (!collected.addValue(value)) return collected.result();
      }
      const intrinsicColumn = tag.scope === 'intrinsic' ? INTRINSIC_COLUMNS[tag.name] : undefined;
      if (intrinsicColumn) {
        const values = tag.name === 'name' ? summary.names.values : null;
        sets.push({ scope: 'span', key: { values, type: 'string', count: 0, column: intrinsicColumn } });
      }
      for (const { scope, key } of sets) {
        if (key.values) {
          for (const value of key.values) if (!collected.addValue(value)) return collected.result();
          continue;
        }
        // More distinct values than the summary keeps: read them, newest row group first, from
        // the key's column or, for a key without one, its scope's JSON column.
        const reads: { column: string; fromJson: boolean }[] = [];
        if (key.column) reads.push({ column: key.column, fromJson: false });
        if (!key.column || key.alsoInJson) reads.push({ column: JSON_COLUMN[scope], fromJson: true });
        // Several row groups per read: one read's fixed cost is most of a sparse column's.
        for (let g = 0; g < summary.groups.length; g += GROUPS_PER_READ) {
          const batch = summary.groups.slice(g, g + GROUPS_PER_READ);
          // A chunk's dictionary page holds its distinct values (newest first, as rows are):
          // read those instead of every row when each chunk of the batch has one.
          const dictionaries = key.column
            ? await entry.search!.dictionaryValues(
                key.column,
                batch.map((_, i) => g + i),
              )
            : undefined;
          const fromDictionaries = dictionaries?.every((values) => values !== undefined) ?? false;
          for (const values of fromDictionaries ? dictionaries! : []) {
            for (const raw of values!) {
              if (!collected.addValue(typeof raw === 'bigint' ? Number(raw) : (raw as AttributeValue))) {
                return collected.result();
              }
            }
          }
          const rowReads = fromDictionaries ? reads.filter((r) => r.fromJson) : reads;
          if (rowReads.length === 0) {
            await deadline.checkpoint();
            continue;
          }
          const last = batch[batch.length - 1];
          const read = await entry.search!.readColumns(
            rowReads.map((r) => r.column),
            batch[0].rowStart,
            last.rowStart + last.rows,
          );
          for (const { column, fromJson } of rowReads) {
            const values = read.get(column) ?? [];
            for (let i = 0; i < values.length; i++) {
              for (const raw of fromJson ? jsonValues(values[i], scope, tag.name) : [values[i]]) {
                if (raw === null || raw === undefined) continue;
                if (!collected.addValue(typeof raw === 'bigint' ? Number(raw) : (raw as AttributeValue))) {
                  return collected.result();
                }
              }
            }
          }
          await deadline.checkpoint();
        }
      }
    }
    return collected.result();
  }

  private blocksInRange(tenantId: string, options: TagOptions): BlockEntry[] {
    return this.deps.blocks
      .blocks(tenantId)
      .filter((entry) => entry.search !== undefined)
      .filter(({ meta }) => !(options.startMs !== undefined && meta.endMs < options.startMs))
      .filter(({ meta }) => !(options.endMs !== undefined && meta.startMs > options.endMs))
      .sort((a, b) => b.meta.endMs - a.meta.endMs);
  }

  /**
   * The newest unflushed traces (up to `UNFLUSHED_SAMPLE`), decoded. Grafana asks for tag names
   * and values on every keystroke of its editor; the traces decoded for the last question are
   * kept per tenant and reused while their span count is unchanged, so a burst of questions
   * decodes each live trace once, not once per question.
   */
  private async *unflushedSample(tenantId: string, options: TagOptions): AsyncGenerator<SearchTrace> {
    const refs = (await this.deps.unflushed.unflushedRefs(tenantId))
      .filter((ref) => !(options.startMs !== undefined && ref.endMs < options.startMs))
      .filter((ref) => !(options.endMs !== undefined && ref.startMs > options.endMs))
      .sort((a, b) => b.startMs - a.startMs)
      .slice(0, UNFLUSHED_SAMPLE);
    const previous = this.decoded.get(tenantId);
    const current = new Map<string, DecodedTrace>();
    this.decoded.set(tenantId, current);
    const stale = refs.filter((ref) => previous?.get(ref.key)?.spanCount !== ref.spanCount);
    const fetched =
      stale.length > 0
        ? await this.deps.unflushed.unflushedTraces(
            tenantId,
            stale.map((ref) => ref.key),
          )
        : new Map();
    for (const ref of refs) {
      let decoded = previous?.get(ref.key);
      if (decoded?.spanCount !== ref.spanCount) {
        const found = fetched.get(ref.key);
        if (!found) continue;
        decoded = { spanCount: ref.spanCount, trace: searchTraceFromOtlp(ref.key, found.parts) };
      }
      current.set(ref.key, decoded);
      yield decoded.trace;
    }
  }

  private async matchingTraces(
    tenantId: string,
    query: SearchQuery,
    options: TagOptions,
    deadline: QueryDeadline,
  ) {
    const result = await this.deps.search.search(
      tenantId,
      { query, limit: QUERY_SAMPLE, startMs: options.startMs, endMs: options.endMs },
      deadline,
    );
    return result.hits.map((hit) => ({
      ...hit.trace,
      spans: hit.matches.flatMap((set) => set.spans.map((s) => s.span)),
    }));
  }

  private async matchedSpans(
    tenantId: string,
    query: SearchQuery,
    options: TagOptions,
    deadline: QueryDeadline,
  ) {
    return (await this.matchingTraces(tenantId, query, options, deadline)).flatMap((trace) => trace.spans);
  }
}

function spanValues(tag: FieldRef, span: SearchSpan, trace: SearchTrace): AttributeValue[] {
  switch (tag.scope) {
    case 'span':
      return present(span.attributes.get(tag.name));
    case 'resource':
      return present(span.resource.get(tag.name));
    case 'unscoped':
      return present(span.attributes.get(tag.name) ?? span.resource.get(tag.name));
    case 'event':
      return span.events.flatMap((event) => present(event.attributes.get(tag.name)));
    case 'link':
      return span.links.flatMap((link) => present(link.attributes.get(tag.name)));
    default:
      if (tag.name === 'name') return [span.name];
      if (tag.name === 'rootServiceName') return present(trace.rootServiceName);
      if (tag.name === 'rootName') return present(trace.rootName);
      if (tag.name === 'statusMessage') return span.statusMessage ? [span.statusMessage] : [];
      if (tag.name === 'event:name') return span.events.map((event) => event.name);
      return [];
  }
}

/** Where a scope's attributes without a column of their own are. */
const JSON_COLUMN: Record<AttributeScope, string> = {
  span: COLUMN.spanOther,
  resource: COLUMN.resourceOther,
  event: COLUMN.events,
  link: COLUMN.links,
};

/**
 * A key's values in one row of a JSON column: the `*_other` object's field, or the field of
 * every event's or link's attributes. hyparquet parses JSON columns; text is accepted too.
 */
function jsonValues(row: unknown, scope: AttributeScope, key: string): unknown[] {
  if (row === null || row === undefined) return [];
  const parsed = typeof row === 'string' ? JSON.parse(row) : row;
  if (scope === 'event' || scope === 'link') {
    return (parsed as { attributes: Record<string, unknown> }[]).map((item) => item.attributes[key]);
  }
  return [(parsed as Record<string, unknown>)[key]];
}

function present(value: AttributeValue | undefined): AttributeValue[] {
  return value === undefined ? [] : [value];
}

/** Distinct typed values up to a byte budget (Tempo's `max_bytes_per_tag_values_query`). */
class Collector {
  /** Values seen, per type: a million-value key is checked without building a string per value. */
  private readonly seen = new Map<string, Set<string>>();
  private readonly values: TypedValue[] = [];
  private bytes = 0;
  private capped = false;

  constructor(private readonly maxBytes: number) {}

  addValue(value: AttributeValue): boolean {
    return this.add({ type: typeOf(value), value: String(value) });
  }

  /** False once the budget is spent: stop collecting. */
  add(typed: TypedValue): boolean {
    let seen = this.seen.get(typed.type);
    if (!seen) {
      seen = new Set();
      this.seen.set(typed.type, seen);
    }
    if (seen.has(typed.value)) return true;
    if (this.bytes + typed.value.length > this.maxBytes) {
      this.capped = true;
      return false;
    }
    seen.add(typed.value);
    this.bytes += typed.value.length;
    this.values.push(typed);
    return true;
  }

  result(): { values: TypedValue[]; capped: boolean } {
    return { values: this.values, capped: this.capped };
  }
}
