import type { TraceModel, TraceStats } from './build-model';
import type { ParsedTrace } from './types';

/**
 * What the main thread keeps of a trace: the tree and timing as flat columns, plus names and IDs.
 * Built in the trace worker from the full `TraceModel` and posted to the page (typed arrays copy
 * as flat memory); attributes, events and links stay in the worker until a span's details are
 * asked for.
 * Indices are the tree (depth-first) order of `buildTraceModel`.
 */
export interface TraceLayout {
  traceId: string;
  baseSec: number;
  format: ParsedTrace['format'];
  partialMessage?: string;
  /** Which tail-sampling policy kept the trace (Loupe's note), when it carries one. */
  sampling?: TraceModel['sampling'];
  count: number;
  /**
   * Names and span IDs, each packed into one string with offsets (see `spanName`, `spanIdAt`):
   * posting one long string between threads is a copy, 100k short ones are 100k objects.
   */
  namesText: string;
  nameStart: Uint32Array;
  spanIdsText: string;
  spanIdStart: Uint32Array;
  services: string[];
  serviceIndex: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  posInSet: Int32Array;
  rootCount: number;
  offsetNs: Float64Array;
  durationNs: Float64Array;
  flags: Uint8Array;
  errorIndices: Int32Array;
  /** Events of span i are `eventStart[i] … eventStart[i + 1] - 1` in the two event columns. */
  eventStart: Int32Array;
  /** Event time minus its span's start, in nanoseconds. */
  eventOffsetNs: Float64Array;
  /** 1 for exception events. */
  eventIsException: Uint8Array;
  stats: TraceStats;
  warnings: string[];
}

/** Flattens a model into its layout. Linear in spans plus events. */
export function toLayout(model: TraceModel): TraceLayout {
  const n = model.spans.length;
  const names: string[] = new Array(n);
  const spanIds: string[] = new Array(n);
  const nameStart = new Uint32Array(n + 1);
  const spanIdStart = new Uint32Array(n + 1);
  const eventStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const span = model.spans[i];
    names[i] = span.name;
    spanIds[i] = span.spanId;
    nameStart[i + 1] = nameStart[i] + span.name.length;
    spanIdStart[i + 1] = spanIdStart[i] + span.spanId.length;
    eventStart[i + 1] = eventStart[i] + span.events.length;
  }
  const eventOffsetNs = new Float64Array(eventStart[n]);
  const eventIsException = new Uint8Array(eventStart[n]);
  for (let i = 0; i < n; i++) {
    const span = model.spans[i];
    for (let e = 0; e < span.events.length; e++) {
      eventOffsetNs[eventStart[i] + e] = span.events[e].timeNs - span.startNs;
      eventIsException[eventStart[i] + e] = span.events[e].name === 'exception' ? 1 : 0;
    }
  }
  return {
    traceId: model.traceId,
    baseSec: model.baseSec,
    format: model.format,
    partialMessage: model.partialMessage,
    sampling: model.sampling,
    count: n,
    namesText: names.join(''),
    nameStart,
    spanIdsText: spanIds.join(''),
    spanIdStart,
    services: model.services,
    serviceIndex: model.serviceIndex,
    parent: model.parent,
    depth: model.depth,
    subtreeEnd: model.subtreeEnd,
    childCount: model.childCount,
    posInSet: model.posInSet,
    rootCount: model.rootCount,
    offsetNs: model.offsetNs,
    durationNs: model.durationNs,
    flags: model.flags,
    errorIndices: model.errorIndices,
    eventStart,
    eventOffsetNs,
    eventIsException,
    stats: model.stats,
    warnings: model.warnings,
  };
}

/** The name of span i. */
export function spanName(layout: TraceLayout, i: number): string {
  return layout.namesText.slice(layout.nameStart[i], layout.nameStart[i + 1]);
}

/** The hex ID of span i. */
export function spanIdAt(layout: TraceLayout, i: number): string {
  return layout.spanIdsText.slice(layout.spanIdStart[i], layout.spanIdStart[i + 1]);
}

/** The first k with start[k] === position, or -1 (start ascends). */
function indexAt(start: Uint32Array, count: number, position: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (start[mid] < position) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo < count && start[lo] === position ? lo : -1;
}

/**
 * Tree index of the first span with this hex ID, or -1: a native substring search over the packed
 * IDs, keeping only hits that start and end on ID boundaries.
 */
export function indexOfSpanId(layout: TraceLayout, spanId: string): number {
  if (spanId === '') return -1;
  for (
    let at = layout.spanIdsText.indexOf(spanId);
    at >= 0;
    at = layout.spanIdsText.indexOf(spanId, at + 1)
  ) {
    const i = indexAt(layout.spanIdStart, layout.count, at);
    if (i >= 0 && layout.spanIdStart[i + 1] === at + spanId.length) return i;
  }
  return -1;
}
