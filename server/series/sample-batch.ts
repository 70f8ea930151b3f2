import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';

// On the thread pool: a two-hour chunk must not stall ingest or queries on the event loop.
const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

import type { Labels } from './labels';
import type { Exemplar } from './tenant-series';

/** Samples and exemplars appended together (one collection, one OTLP push, one stored chunk). */
export interface SampleBatch {
  series: BatchSeries[];
}

export interface BatchSeries {
  labels: Labels;
  timestamps: number[];
  values: number[];
  exemplars?: Exemplar[];
}

/** JSON has no NaN or infinities; Prometheus's own spellings stand in for them. */
function encodeValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

function decodeValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? Number.NaN : v === '+Inf' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

interface WireSeries {
  l: Labels;
  /** Timestamps as deltas from the previous one (the first from 0): small numbers compress well. */
  t: number[];
  v: (number | string)[];
  e?: { l: Labels; v: number | string; t: number }[];
}

function toWire(batch: SampleBatch): string {
  const series: WireSeries[] = batch.series.map((s) => {
    let previous = 0;
    const w: WireSeries = {
      l: s.labels,
      t: s.timestamps.map((t) => {
        const delta = t - previous;
        previous = t;
        return delta;
      }),
      v: s.values.map(encodeValue),
    };
    if (s.exemplars?.length) {
      w.e = s.exemplars.map((e) => ({ l: e.labels, v: encodeValue(e.value), t: e.timestampMs }));
    }
    return w;
  });
  return JSON.stringify({ s: series });
}

function fromWire(text: string): SampleBatch {
  const parsed = JSON.parse(text) as { s: WireSeries[] };
  return {
    series: parsed.s.map((w) => {
      let t = 0;
      return {
        labels: w.l,
        timestamps: w.t.map((delta) => {
          t += delta;
          return t;
        }),
        values: w.v.map(decodeValue),
        exemplars: w.e?.map((e) => ({ labels: e.l, value: decodeValue(e.v), timestampMs: e.t })),
      };
    }),
  };
}

/** A WAL record's data: uncompressed, since it is written on every collection. */
export function encodeWalBatch(batch: SampleBatch): Buffer {
  return Buffer.from(toWire(batch), 'utf8');
}

export function decodeWalBatch(data: Uint8Array): SampleBatch {
  return fromWire(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
}

/** A stored chunk: gzip of the delta-encoded batch. */
export function encodeChunk(batch: SampleBatch): Promise<Buffer> {
  return gzip(toWire(batch), { level: 6 });
}

export async function decodeChunk(data: Uint8Array): Promise<SampleBatch> {
  return fromWire((await gunzip(data)).toString('utf8'));
}

/** Merges batches into one, series by series, in time order. */
export function mergeBatches(
  batches: readonly SampleBatch[],
  keyOf: (labels: Labels) => string,
): SampleBatch {
  const merged = new Map<string, BatchSeries>();
  for (const batch of batches) {
    for (const s of batch.series) {
      const key = keyOf(s.labels);
      let into = merged.get(key);
      if (!into) {
        into = { labels: s.labels, timestamps: [], values: [], exemplars: [] };
        merged.set(key, into);
      }
      into.timestamps.push(...s.timestamps);
      into.values.push(...s.values);
      if (s.exemplars) into.exemplars!.push(...s.exemplars);
    }
  }
  return { series: [...merged.values()] };
}
