import type {
  Attributes,
  AttributeValue,
  SearchEvent,
  SearchLink,
  SearchSpan,
  SearchTrace,
} from '../../search-model/search-trace';
import { NumberSet } from './number-set';
import {
  ROW_GROUP_BLOOM_FALSE_POSITIVE,
  ROW_GROUP_BLOOM_MAX_BYTES,
  TARGET_ROW_GROUP_ROWS,
} from './search-layout';
import {
  type AttributeScope,
  attributeToken,
  type KeySummary,
  MAX_SUMMARY_VALUES,
  type RowGroupSummary,
  token,
  type ValueSet,
} from './search-summary';
import { continueHash, finishHash, type HashState, startHash, TokenBloom } from './token-bloom';

/**
 * One attribute key: what the block knows of it, and its values in the open row group, sparse
 * (rows relative to the group, and their values; emptied when the group is taken).
 */
export interface SparseAttribute {
  scope: AttributeScope;
  key: string;
  rows: number[];
  values: AttributeValue[];
  /** Spans of the whole block that carry the key. */
  count: number;
  /** Some values went to the scope's JSON column though the key has its own (a later, other type). */
  spilled: boolean;
  /** Bits of `TYPE_BITS`: which value types the key has had. */
  types: number;
  /** Distinct values and their tokens (repeats skip the hash), or null past `MAX_SUMMARY_VALUES`. */
  distinct: Map<AttributeValue, number> | null;
  /** Token hashes of the key alone, and the hash state its value tokens continue from. */
  keyToken: number;
  keyState: HashState;
}

/**
 * What a block that keeps each span only in its columns (`loupe-v2`, `store/encoding/v2`) stores
 * of a span beside the search columns: its resource and scope (shared, dictionary-encoded) and
 * the rest of the Span message the columns do not reproduce.
 */
export interface StoredSpanParts {
  resource: Uint8Array;
  scope: Uint8Array;
  residue: Uint8Array;
}

/** A trace to write as rows; `stored` (one per span, in span order) only for a single-copy block. */
export type SidecarTrace = SearchTrace & { stored?: readonly StoredSpanParts[] };

/** Value types as bits of `SparseAttribute.types`. */
export const TYPE_BITS = { string: 1, int: 2, float: 4, bool: 8 } as const;

export function typeNames(bits: number): string[] {
  return (Object.keys(TYPE_BITS) as (keyof typeof TYPE_BITS)[]).filter(
    (name) => (bits & TYPE_BITS[name]) !== 0,
  );
}

/** Capped distinct values: null once past `MAX_SUMMARY_VALUES`. */
export function addDistinct(
  set: Set<AttributeValue> | null,
  value: AttributeValue,
): Set<AttributeValue> | null {
  if (set === null || set.has(value)) return set;
  if (set.size >= MAX_SUMMARY_VALUES) return null;
  set.add(value);
  return set;
}

/** A value's type as the tag-values API names it, and as `TYPE_BITS` counts it. */
export function typeOf(value: AttributeValue): keyof typeof TYPE_BITS {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  // OTLP ints are int64; a whole double past 2^53 is a float (an INT64 column would refuse 1e19).
  return Number.isSafeInteger(value) ? 'int' : 'float';
}

/**
 * The sidecar's rows as columns, filled trace by trace (newest first), with the row-group
 * summaries worked out on the way. Strings repeated across rows (services, names) are interned
 * so a block of a million spans holds each once.
 */
export class SidecarColumns {
  rows = 0;
  traces = 0;
  /** Trace-level columns: one entry per trace of the open group, and its number of spans (rows). */
  traceId: string[] = [];
  traceStart: bigint[] = [];
  traceDuration: number[] = [];
  rootService: (string | null)[] = [];
  rootName: (string | null)[] = [];
  samplingPolicy: (string | null)[] = [];
  samplingReason: (string | null)[] = [];
  traceSpans: number[] = [];
  spanId: string[] = [];
  parentSpanId: string[] = [];
  service: string[] = [];
  name: string[] = [];
  kind: number[] = [];
  statusCode: number[] = [];
  statusMessage: (string | null)[] = [];
  start: bigint[] = [];
  duration: number[] = [];
  /** JSON columns hold values, not text: the Parquet writer encodes them. */
  events: (object | null)[] = [];
  links: (object | null)[] = [];
  /** One per row of a single-copy block's traces; empty otherwise. */
  stored: StoredSpanParts[] = [];
  /** Attribute keys by scope, then key. */
  readonly attributes = new Map<AttributeScope, Map<string, SparseAttribute>>();
  readonly rowGroups: RowGroupSummary[] = [];
  names: Set<AttributeValue> | null = new Set();
  services: Set<AttributeValue> | null = new Set();
  eventNames: Set<AttributeValue> | null = new Set();

  private readonly interned = new Map<string, string>();
  private readonly nameTokens = new Map<string, number>();
  private readonly serviceTokens = new Map<string, number>();
  private group: OpenRowGroup | undefined;

  /**
   * Appends one trace's spans; closes the row group once it holds `TARGET_ROW_GROUP_ROWS` and
   * then returns true: the caller takes the group's rows (`takeGroup`) before the next trace.
   */
  addTrace(trace: SidecarTrace): boolean {
    if (trace.spans.length === 0) return false;
    const group = this.group ?? this.openGroup();
    const traceStartMs = Number(trace.startUnixNano / 1_000_000n);
    group.traces++;
    group.minTraceStartMs = Math.min(group.minTraceStartMs, traceStartMs);
    group.maxTraceStartMs = Math.max(group.maxTraceStartMs, traceStartMs);
    group.maxTraceDurationNanos = Math.max(group.maxTraceDurationNanos, trace.durationNanos);
    const rootService = trace.rootServiceName === undefined ? null : this.intern(trace.rootServiceName);
    const rootName = trace.rootName === undefined ? null : this.intern(trace.rootName);
    if (rootService !== null) group.tokens.add(token.rootService(rootService));
    if (rootName !== null) group.tokens.add(token.rootName(rootName));
    this.traceId.push(trace.traceId);
    this.traceStart.push(trace.startUnixNano);
    this.traceDuration.push(trace.durationNanos);
    this.rootService.push(rootService);
    this.rootName.push(rootName);
    this.samplingPolicy.push(trace.sampling ? this.intern(trace.sampling.policy) : null);
    this.samplingReason.push(trace.sampling ? this.intern(trace.sampling.reason) : null);
    this.traceSpans.push(trace.spans.length);
    for (const span of trace.spans) this.addSpan(span, group);
    if (trace.stored) {
      if (trace.stored.length !== trace.spans.length) throw new Error('one stored part per span expected');
      for (const parts of trace.stored) this.stored.push(parts);
    }
    this.traces++;
    if (this.rows - group.rowStart < TARGET_ROW_GROUP_ROWS) return false;
    this.closeGroup();
    return true;
  }

  /** Closes the last row group, if one is open; true when there is one to take. */
  finish(): boolean {
    if (!this.group) return false;
    this.closeGroup();
    return true;
  }

  /**
   * The rows of the group just closed, as columns (attribute values sparse, rows relative to the
   * group), leaving the arrays empty for the next one: a block's sidecar is written group by
   * group, so its memory is one group's, not the block's.
   */
  takeGroup(): GroupRows {
    const taken: GroupRows = {
      rows: this.spanId.length,
      traceId: this.traceId,
      traceStart: this.traceStart,
      traceDuration: this.traceDuration,
      rootService: this.rootService,
      rootName: this.rootName,
      samplingPolicy: this.samplingPolicy,
      samplingReason: this.samplingReason,
      traceSpans: this.traceSpans,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      service: this.service,
      name: this.name,
      kind: this.kind,
      statusCode: this.statusCode,
      statusMessage: this.statusMessage,
      start: this.start,
      duration: this.duration,
      events: this.events,
      links: this.links,
      stored: this.stored,
      attributes: [],
    };
    for (const attribute of this.allAttributes()) {
      if (attribute.rows.length > 0)
        taken.attributes.push({ attribute, rows: attribute.rows, values: attribute.values });
      attribute.rows = [];
      attribute.values = [];
    }
    this.traceId = [];
    this.traceStart = [];
    this.traceDuration = [];
    this.rootService = [];
    this.rootName = [];
    this.samplingPolicy = [];
    this.samplingReason = [];
    this.traceSpans = [];
    this.spanId = [];
    this.parentSpanId = [];
    this.service = [];
    this.name = [];
    this.kind = [];
    this.statusCode = [];
    this.statusMessage = [];
    this.start = [];
    this.duration = [];
    this.events = [];
    this.links = [];
    this.stored = [];
    return taken;
  }

  keySummaries(): Record<AttributeScope, Record<string, KeySummary>> {
    const out: Record<AttributeScope, Record<string, KeySummary>> = {
      span: {},
      resource: {},
      event: {},
      link: {},
    };
    for (const attribute of this.allAttributes()) {
      out[attribute.scope][attribute.key] = {
        type: typeNames(attribute.types).length === 1 ? typeNames(attribute.types)[0] : 'mixed',
        count: attribute.count,
        values: attribute.distinct ? [...attribute.distinct.keys()] : null,
      };
    }
    return out;
  }

  *allAttributes(): Iterable<SparseAttribute> {
    for (const keys of this.attributes.values()) yield* keys.values();
  }

  static valueSet(set: Set<AttributeValue> | null): ValueSet {
    return { values: set ? [...set] : null };
  }

  private addSpan(span: SearchSpan, group: OpenRowGroup): void {
    const row = this.rows++;
    const service = this.intern(span.serviceName);
    const name = this.intern(span.name);
    this.spanId.push(span.spanId);
    this.parentSpanId.push(span.parentSpanId);
    this.service.push(service);
    this.name.push(name);
    this.kind.push(span.kind);
    this.statusCode.push(span.statusCode);
    this.statusMessage.push(span.statusMessage === '' ? null : this.intern(span.statusMessage));
    this.start.push(span.startUnixNano);
    this.duration.push(span.durationNanos);
    this.names = addDistinct(this.names, name);
    this.services = addDistinct(this.services, service);
    const tokens = group.tokens;
    tokens.add(this.cachedToken(this.nameTokens, name, token.name));
    tokens.add(this.cachedToken(this.serviceTokens, service, token.service));
    if (span.statusMessage !== '') tokens.add(token.statusMessage(span.statusMessage));
    group.statusCounts[Math.min(2, span.statusCode)]++;
    group.kindMask |= 1 << span.kind;
    group.minSpanDurationNanos = Math.min(group.minSpanDurationNanos, span.durationNanos);
    group.maxSpanDurationNanos = Math.max(group.maxSpanDurationNanos, span.durationNanos);
    this.addAttributes('span', span.attributes, row - group.rowStart, tokens);
    this.addAttributes('resource', span.resource, row - group.rowStart, tokens);
    this.events.push(
      span.events.length === 0 ? null : span.events.map((event) => this.addEvent(event, tokens)),
    );
    this.links.push(span.links.length === 0 ? null : span.links.map((link) => this.addLink(link, tokens)));
  }

  /** An event as its JSON column holds it; its name and attributes summarised. */
  private addEvent(event: SearchEvent, tokens: NumberSet): object {
    tokens.add(token.eventName(event.name));
    this.eventNames = addDistinct(this.eventNames, event.name);
    this.addAttributes('event', event.attributes, -1, tokens);
    return {
      name: event.name,
      time: String(event.timeUnixNano),
      attributes: Object.fromEntries(event.attributes),
    };
  }

  private addLink(link: SearchLink, tokens: NumberSet): object {
    this.addAttributes('link', link.attributes, -1, tokens);
    return { traceId: link.traceId, spanId: link.spanId, attributes: Object.fromEntries(link.attributes) };
  }

  /** Row -1: the attribute belongs to an event or link (kept in their JSON column, summarised here). */
  private addAttributes(scope: AttributeScope, attributes: Attributes, row: number, tokens: NumberSet): void {
    if (attributes.size === 0) return;
    let keys = this.attributes.get(scope);
    if (!keys) {
      keys = new Map();
      this.attributes.set(scope, keys);
    }
    const scopeKeys = keys;
    attributes.forEach((value, key) => {
      let sparse = scopeKeys.get(key);
      if (!sparse) {
        const keyState = continueHash(continueHash(startHash(), scope), key);
        sparse = {
          scope,
          key,
          rows: [],
          count: 0,
          spilled: false,
          values: [],
          types: 0,
          distinct: new Map(),
          keyToken: finishHash(keyState),
          keyState,
        };
        scopeKeys.set(key, sparse);
      }
      if (row >= 0) {
        sparse.rows.push(row);
        sparse.count++;
        sparse.values.push(value);
      }
      let valueToken = sparse.distinct?.get(value);
      if (valueToken === undefined) {
        sparse.types |= TYPE_BITS[typeOf(value)];
        valueToken = attributeToken(sparse.keyState, value);
        if (sparse.distinct !== null) {
          if (sparse.distinct.size >= MAX_SUMMARY_VALUES) sparse.distinct = null;
          else sparse.distinct.set(value, valueToken);
        }
      }
      tokens.add(sparse.keyToken);
      tokens.add(valueToken);
    });
  }

  /** A span name's or service's token, hashed once per distinct string (while there are few). */
  private cachedToken(cache: Map<string, number>, text: string, hash: (text: string) => number): number {
    let found = cache.get(text);
    if (found === undefined) {
      found = hash(text);
      if (cache.size < 10_000) cache.set(text, found);
    }
    return found;
  }

  /** Short strings repeat across spans (services, names, enum-like values); long ones rarely do. */
  private intern(text: string): string {
    if (text.length > 64) return text;
    const found = this.interned.get(text);
    if (found !== undefined) return found;
    if (this.interned.size < 200_000) this.interned.set(text, text);
    return text;
  }

  private openGroup(): OpenRowGroup {
    this.group = {
      rowStart: this.rows,
      traces: 0,
      minTraceStartMs: Number.POSITIVE_INFINITY,
      maxTraceStartMs: Number.NEGATIVE_INFINITY,
      maxTraceDurationNanos: 0,
      minSpanDurationNanos: Number.POSITIVE_INFINITY,
      maxSpanDurationNanos: 0,
      statusCounts: [0, 0, 0],
      kindMask: 0,
      tokens: new NumberSet(),
    };
    return this.group;
  }

  private closeGroup(): void {
    const group = this.group!;
    this.group = undefined;
    const bloom = TokenBloom.forItems(
      group.tokens.size,
      ROW_GROUP_BLOOM_FALSE_POSITIVE,
      ROW_GROUP_BLOOM_MAX_BYTES,
    );
    group.tokens.forEach((t) => {
      bloom.addHash(t);
    });
    const { tokens: _tokens, ...summary } = group;
    this.rowGroups.push({
      ...summary,
      rows: this.rows - group.rowStart,
      bloom: bloom.toBase64(),
      bloomHashes: bloom.hashes,
    });
  }
}

interface OpenRowGroup extends Omit<RowGroupSummary, 'rows' | 'bloom' | 'bloomHashes'> {
  tokens: NumberSet;
}

/** One closed row group's rows, as `takeGroup` hands them over. */
export interface GroupRows {
  rows: number;
  /** Trace-level values, one per trace, and each trace's span count (`traceSpans`). */
  traceId: string[];
  traceStart: bigint[];
  traceDuration: number[];
  rootService: (string | null)[];
  rootName: (string | null)[];
  /** Tail sampling's deciding policy and reason, per trace (null: the trace never waited). */
  samplingPolicy: (string | null)[];
  samplingReason: (string | null)[];
  traceSpans: number[];
  spanId: string[];
  parentSpanId: string[];
  service: string[];
  name: string[];
  kind: number[];
  statusCode: number[];
  statusMessage: (string | null)[];
  start: bigint[];
  duration: number[];
  events: (object | null)[];
  links: (object | null)[];
  /** One per row, or empty (see `SidecarColumns.stored`). */
  stored: StoredSpanParts[];
  /** The group's values of each key it has (rows relative to the group). */
  attributes: { attribute: SparseAttribute; rows: number[]; values: AttributeValue[] }[];
}
