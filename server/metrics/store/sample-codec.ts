import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import type { Labels } from '../../series-model/labels';
import type { BatchSeries, SampleBatch } from '../../series-model/sample-batch';

/*
 * How the series store writes sample batches: WAL records (JSON, timestamps as deltas) and
 * stored chunks (the same text, gzipped).
 */

// On the thread pool: a two-hour chunk must not stall ingest or queries on the event loop.
const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/**
 * A series whose WAL encoding is longer than this (characters of its JSON) is not stored: with
 * the label limits a series' labels take a few KiB, so only one that got past them comes near.
 */
export const MAX_WAL_SERIES_CHARS = 1024 * 1024;
/** Series are packed into WAL records of about this size; a larger batch takes several records. */
export const MAX_WAL_RECORD_CHARS = 4 * 1024 * 1024;

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

/** One series in the wire form; throws only when JSON cannot hold it (a string past V8's limit). */
function wireSeries(s: BatchSeries): string {
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
  return JSON.stringify(w);
}

/**
 * The wire text of each series that can be stored, and those that cannot: a series whose
 * encoding fails, or is over `maxSeriesChars`, is left out rather than failing its whole batch.
 */
export function encodeSeriesEach(
  series: readonly BatchSeries[],
  maxSeriesChars = MAX_WAL_SERIES_CHARS,
): { encoded: { series: BatchSeries; text: string }[]; unwritable: BatchSeries[] } {
  const encoded: { series: BatchSeries; text: string }[] = [];
  const unwritable: BatchSeries[] = [];
  for (const s of series) {
    let text: string;
    try {
      text = wireSeries(s);
    } catch {
      unwritable.push(s);
      continue;
    }
    if (text.length > maxSeriesChars) unwritable.push(s);
    else encoded.push({ series: s, text });
  }
  return { encoded, unwritable };
}

/**
 * Already-encoded series packed into WAL records of at most about `maxRecordChars` each (a
 * series larger than that gets a record of its own), in order. A collection of 100,000 series
 * is then several records of a few MiB, never one string near V8's limit.
 */
export function packWalRecords(
  encoded: readonly { series: BatchSeries; text: string }[],
  maxRecordChars = MAX_WAL_RECORD_CHARS,
): { data: Buffer; batch: SampleBatch }[] {
  const records: { data: Buffer; batch: SampleBatch }[] = [];
  let texts: string[] = [];
  let series: BatchSeries[] = [];
  let size = 0;
  const flush = () => {
    if (texts.length === 0) return;
    records.push({ data: Buffer.from(`{"s":[${texts.join(',')}]}`, 'utf8'), batch: { series } });
    texts = [];
    series = [];
    size = 0;
  };
  for (const e of encoded) {
    if (size > 0 && size + e.text.length > maxRecordChars) flush();
    texts.push(e.text);
    series.push(e.series);
    size += e.text.length + 1;
  }
  flush();
  return records;
}

/** Every series that can be encoded, as one wire text; the rest are dropped (see `encodeSeriesEach`). */
function toWire(batch: SampleBatch): string {
  const { encoded } = encodeSeriesEach(batch.series, Number.POSITIVE_INFINITY);
  return `{"s":[${encoded.map((e) => e.text).join(',')}]}`;
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

/** A WAL record's data (uncompressed, since it is written on every collection): see `packWalRecords`. */
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
