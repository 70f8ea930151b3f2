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
  names: string[];
  spanIds: string[];
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
  const eventStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    names[i] = model.spans[i].name;
    spanIds[i] = model.spans[i].spanId;
    eventStart[i + 1] = eventStart[i] + model.spans[i].events.length;
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
    names,
    spanIds,
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

const idIndexes = new WeakMap<TraceLayout, Map<string, number>>();

/** Tree index of the (first) span with this hex ID, or -1. The lookup map is built on first use. */
export function indexOfSpanId(layout: TraceLayout, spanId: string): number {
  let map = idIndexes.get(layout);
  if (!map) {
    map = new Map();
    for (let i = layout.spanIds.length - 1; i >= 0; i--) map.set(layout.spanIds[i], i);
    idIndexes.set(layout, map);
  }
  return map.get(spanId) ?? -1;
}
