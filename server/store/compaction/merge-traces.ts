import { combineTraceParts } from '../../otlp/combine-trace';
import type { TraceRecord } from '../types';

/** An input's traces in trace ID order (`BlockReader.traces()`). */
type SortedTraces = AsyncIterator<TraceRecord>;

interface Head {
  input: SortedTraces;
  record: TraceRecord;
}

/**
 * The traces of several blocks merged into one sequence in trace ID order, each ID once: a trace
 * found in several inputs (flushed twice by one ingester, or by several ingesters) becomes one
 * record with its parts combined and duplicate spans dropped (`combineTraceParts`, as the
 * ingester combines a trace's WAL records), cut at `maxBytesPerTrace` (0: no limit) and marked
 * truncated when any part was. Each input is read once, one record ahead.
 */
export async function* mergeSortedTraces(
  inputs: readonly AsyncIterable<TraceRecord>[],
  maxBytesPerTrace: number,
): AsyncGenerator<TraceRecord> {
  const heads: Head[] = [];
  for (const iterable of inputs) {
    const input = iterable[Symbol.asyncIterator]();
    const first = await input.next();
    if (!first.done) heads.push({ input, record: first.value });
  }
  while (heads.length > 0) {
    // Inputs are few (a compaction merges a handful of blocks): a scan beats a heap here.
    let smallest = heads[0].record.traceId;
    for (const head of heads)
      if (Buffer.compare(head.record.traceId, smallest) < 0) smallest = head.record.traceId;
    const same: TraceRecord[] = [];
    for (let i = 0; i < heads.length; ) {
      const head = heads[i];
      if (Buffer.compare(head.record.traceId, smallest) !== 0) {
        i++;
        continue;
      }
      same.push(head.record);
      const next = await head.input.next();
      if (next.done) heads.splice(i, 1);
      else {
        if (Buffer.compare(next.value.traceId, head.record.traceId) <= 0) {
          throw new Error('a compaction input is not in trace ID order, or repeats a trace');
        }
        head.record = next.value;
        i++;
      }
    }
    yield same.length === 1 ? same[0] : combineRecords(same, maxBytesPerTrace);
  }
}

function combineRecords(records: readonly TraceRecord[], maxBytesPerTrace: number): TraceRecord {
  const combined = combineTraceParts(
    records.map((record) => record.data),
    maxBytesPerTrace,
  );
  return {
    traceId: records[0].traceId,
    data: combined.data,
    spanCount: combined.spanCount,
    // The parts' own times are those of every span they hold; the combined ones are of the kept spans.
    startMs: combined.spanCount > 0 ? combined.startMs : Math.min(...records.map((r) => r.startMs)),
    endMs: combined.spanCount > 0 ? combined.endMs : Math.max(...records.map((r) => r.endMs)),
    truncated: combined.truncated || records.some((record) => record.truncated),
  };
}
