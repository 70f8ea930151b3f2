import { readSamplingNote } from '../../../otlp/sampling-note';
import type { SpanView } from '../../../otlp/span-visitor';
import { appendSearchSpans } from '../../../search-model/otlp-to-search';
import type { SearchSpan } from '../../../search-model/search-trace';
import { EMPTY_ATTRIBUTES, searchTraceOf, type TraceSampling } from '../../../search-model/search-trace';
import { SEARCH_SUMMARY_FORMAT, SIDECAR_OBJECT, SUMMARY_OBJECT } from '../../search/search-layout';
import type { SidecarTrace, StoredSpanParts } from '../../search/sidecar-columns';
import {
  type CopyPlan,
  groupTraceIds,
  planSidecarCopy,
  type SearchReuse,
  type SidecarSource,
  writeMergedSidecar,
} from '../../search/sidecar-merge';
import { buildSearchSidecar } from '../../search/sidecar-writer';
import { traceIdToHex } from '../../trace-id';
import type { BlockMeta, TraceRecord } from '../../types';
import type { BlockObject, BuildBlockOptions, BuiltBlock } from '../block-format';
import { blockMetaOf, checkSortedUnique, traceTotals } from '../block-traces';
import { bloomShardName, ShardedBloom } from '../v1/bloom';
import { rebuildStub } from './compaction-records';
import { type ColumnSpan, resourcePart, scopePart, spanResidue } from './span-residue';
import { encodeLocator, LOCATOR_OBJECT, type LocatedTrace } from './trace-locator';
import { RAW_HEADER_BYTES, RAW_TRACES_OBJECT, V2_FORMAT_ID } from './v2-layout';

/** Distinct resources and scopes interned per block, beyond which each trace keeps its own copy. */
const MAX_INTERNED_PARTS = 10_000;

/**
 * Encodes a `loupe-v2` block: its traces' spans as the rows of one Parquet file (the search
 * columns plus `STORED_COLUMNS`), newest trace first, a trace locator and a trace-ID bloom filter.
 * Synchronous and CPU-only: it runs on the block-builder worker.
 */
export function buildV2Block(opts: BuildBlockOptions, reuse?: SearchReuse): BuiltBlock {
  const { traces } = opts;
  if (traces.length === 0) throw new RangeError('a block needs at least one trace');
  checkSortedUnique(traces);
  const bloom = ShardedBloom.forItems(traces.length, opts.bloomFalsePositive, opts.bloomShardSizeBytes);
  const located: LocatedTrace[] = new Array(traces.length);
  const raw: Uint8Array[] = [];
  const totals = traceTotals(traces, (trace) => bloom.add(trace.traceId));

  const rows = { next: 0 };
  let rawOffset = 0;
  const keepRaw = (i: number, record: TraceRecord) => {
    const header = Buffer.alloc(RAW_HEADER_BYTES);
    header.set(record.traceId, 0);
    header.writeUInt32LE(record.data.byteLength, 16);
    raw.push(header, record.data);
    located[i] = {
      traceId: record.traceId,
      firstRow: rawOffset,
      rows: RAW_HEADER_BYTES + record.data.byteLength,
      truncated: record.truncated,
      raw: true,
    };
    rawOffset += RAW_HEADER_BYTES + record.data.byteLength;
  };
  // A compaction copies its inputs' row groups where it can (ADR 007): their traces' rows are
  // the block's first, and only the other traces are decoded and written again.
  const copy = reuse ? planCopy(traces, reuse, located) : undefined;
  rows.next = copy?.rows ?? 0;
  const rebuilt = storedTraces(traces, located, rows, keepRaw, copy?.plan.traceIds, reuse?.sources ?? []);
  const merged = copy ? writeMergedSidecar(copy.plan, rebuilt, true) : undefined;
  const sidecar = merged ?? buildSearchSidecar(rebuilt, { stored: true });
  const summaryBytes = sidecar ? Buffer.from(JSON.stringify(sidecar.summary)) : undefined;

  const locator = encodeLocator(located);
  const bloomObjects = bloom.shards.map((shard, i) => ({ name: bloomShardName(i), data: shard.toBytes() }));
  const objects: BlockObject[] = [{ name: LOCATOR_OBJECT, data: locator }, ...bloomObjects];
  if (sidecar && summaryBytes) {
    objects.push(
      { name: SIDECAR_OBJECT, data: sidecar.parquet },
      { name: SUMMARY_OBJECT, data: summaryBytes },
    );
  }
  if (raw.length > 0) objects.push({ name: RAW_TRACES_OBJECT, data: Buffer.concat(raw) });
  const meta: BlockMeta = {
    ...blockMetaOf(V2_FORMAT_ID, opts, totals, {
      dataBytes: (sidecar?.parquet.byteLength ?? 0) + rawOffset,
      indexBytes: locator.byteLength,
      bloom: bloomObjects,
      pages: 0,
    }),
    ...(sidecar && summaryBytes
      ? {
          search: {
            format: SEARCH_SUMMARY_FORMAT,
            parquetBytes: sidecar.parquet.byteLength,
            summaryBytes: summaryBytes.byteLength,
            rows: sidecar.summary.rows,
            ...(raw.length > 0 ? { unsearchableTraces: raw.length / 2 } : {}),
            ...(merged ? { copiedRows: merged.copiedRows } : {}),
          },
        }
      : {}),
  };
  return { meta, objects };
}

/**
 * The block's traces newest start first, each decoded into search spans with what the columns
 * do not hold (`StoredSpanParts`), recording where its rows go. A trace that does not decode (or
 * has no spans) is handed to `keepRaw` instead.
 */
function* storedTraces(
  traces: readonly TraceRecord[],
  located: LocatedTrace[],
  rows: { next: number },
  keepRaw: (i: number, record: TraceRecord) => void,
  copied: ReadonlySet<string> | undefined,
  sources: readonly SidecarSource[],
): Generator<SidecarTrace> {
  const order = traces.map((_, i) => i);
  order.sort((a, b) => traces[b].startMs - traces[a].startMs || a - b);
  const parts = new PartInterner();
  for (const i of order) {
    const traceId = traceIdToHex(traces[i].traceId);
    if (copied?.has(traceId)) continue;
    // A trace a compaction meant to copy whose group was refused: its OTLP, from those rows.
    const record = traces[i].stored ? rebuildStub(traces[i], sources) : traces[i];
    const spans: SearchSpan[] = [];
    const stored: StoredSpanParts[] = [];
    let sampling: TraceSampling | undefined;
    try {
      parts.startRecord();
      model.traceId = traceId;
      appendSearchSpans(record.data, spans, new Set(), (view, span) => {
        stored.push(parts.of(view, modelOf(span)));
      });
      sampling = readSamplingNote(record.data);
    } catch {
      keepRaw(i, record);
      continue;
    }
    if (spans.length === 0) {
      keepRaw(i, record);
      continue;
    }
    located[i] = {
      traceId: record.traceId,
      firstRow: rows.next,
      rows: spans.length,
      truncated: record.truncated,
    };
    rows.next += spans.length;
    yield { ...searchTraceOf(traceId, spans, sampling), stored };
  }
}

/** The span `spanResidue` compares its bytes with: one object, refilled per span (ten million a block). */
const model: ColumnSpan = {
  traceId: '',
  spanId: '',
  parentSpanId: '',
  name: '',
  kind: 0,
  statusCode: 0,
  statusMessage: '',
  startUnixNano: 0n,
  durationNanos: 0,
  attributes: EMPTY_ATTRIBUTES,
};

function modelOf(span: SearchSpan): ColumnSpan {
  model.spanId = span.spanId;
  model.parentSpanId = span.parentSpanId;
  model.name = span.name;
  model.kind = span.kind;
  model.statusCode = span.statusCode;
  model.statusMessage = span.statusMessage;
  model.startUnixNano = span.startUnixNano;
  model.durationNanos = span.durationNanos;
  model.attributes = span.attributes;
  return model;
}

/**
 * The copy plan of a compaction's `loupe-v2` inputs, and the locations of the copied traces
 * (their rows in the copied groups' order). A copied group's trace has as many rows as its input
 * block's record of it has spans (`V2BlockReader.traces`); if a group disagrees, nothing is copied.
 */
function planCopy(
  traces: readonly TraceRecord[],
  reuse: SearchReuse,
  located: LocatedTrace[],
): { plan: CopyPlan; rows: number } | undefined {
  const plan = planSidecarCopy(reuse.sources, new Set(reuse.splitTraceIds.map(traceIdToHex)), true);
  if (!plan) return undefined;
  const byId = new Map<string, number>();
  for (let i = 0; i < traces.length; i++) byId.set(traceIdToHex(traces[i].traceId), i);
  const copied: LocatedTrace[] = [];
  const indices: number[] = [];
  let rows = 0;
  for (const group of plan.groups) {
    const ids = groupTraceIds(group.source);
    if (!ids) return undefined;
    let groupRows = 0;
    for (const id of ids) {
      const i = byId.get(id);
      if (i === undefined) return undefined;
      const trace = traces[i];
      copied.push({
        traceId: trace.traceId,
        firstRow: rows + groupRows,
        rows: trace.spanCount,
        truncated: trace.truncated,
      });
      indices.push(i);
      groupRows += trace.spanCount;
    }
    if (groupRows !== group.source.rows) return undefined;
    rows += groupRows;
  }
  indices.forEach((i, k) => {
    located[i] = copied[k];
  });
  return { plan, rows };
}

/**
 * Resource and scope parts shared by many spans: one array per distinct value (the Parquet
 * writer's dictionary finds them by identity), found per request by the view's offsets.
 */
class PartInterner {
  private readonly byContent = new Map<string, Uint8Array>();
  private resourceAt = -1;
  private resource: Uint8Array = new Uint8Array(0);
  private scopeAt = -1;
  private scope: Uint8Array = new Uint8Array(0);

  startRecord(): void {
    this.resourceAt = -1;
    this.scopeAt = -1;
  }

  of(view: SpanView, model: ColumnSpan): StoredSpanParts {
    if (view.resourceSpansAt !== this.resourceAt) {
      this.resourceAt = view.resourceSpansAt;
      this.resource = this.intern(resourcePart(view.buf, view.resourceSpansAt, view.resourceSpansEnd));
    }
    if (view.scopeSpansAt !== this.scopeAt) {
      this.scopeAt = view.scopeSpansAt;
      this.scope = this.intern(scopePart(view.buf, view.scopeSpansAt, view.scopeSpansEnd));
    }
    return {
      resource: this.resource,
      scope: this.scope,
      residue: spanResidue(view.buf, view.spanAt, view.spanEnd, model),
    };
  }

  private intern(bytes: Uint8Array): Uint8Array {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const known = this.byContent.get(key);
    if (known) return known;
    if (this.byContent.size < MAX_INTERNED_PARTS) this.byContent.set(key, bytes);
    return bytes;
  }
}
