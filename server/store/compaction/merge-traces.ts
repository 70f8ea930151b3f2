import { combineTraceParts } from '../../otlp/combine-trace';
import { forEachLimited } from '../for-each-limited';
import type { TraceRecord } from '../types';

/**
 * Inputs read at once by default. A compaction has 2–4 (pick-inputs.ts); the bound keeps a
 * caller with more from opening them all together.
 */
export const DEFAULT_READ_CONCURRENCY = 4;

/**
 * Every record of each input (`BlockReader.traces()`: trace ID order), the inputs read side by
 * side, at most `concurrency` at a time. An input's own pages come one after another (its reader
 * needs its index first), so reading k inputs costs the slowest input's round trips, not the sum
 * of them all (~5 sequential GETs per compaction on S3 before). The compaction holds the merged
 * traces in memory anyway, and they are views of these same pages: reading ahead adds no copy.
 */
export async function readSortedInputs(
  inputs: readonly AsyncIterable<TraceRecord>[],
  concurrency = DEFAULT_READ_CONCURRENCY,
): Promise<TraceRecord[][]> {
  const lists: TraceRecord[][] = inputs.map(() => []);
  // The first input to fail is the error reported; no other input is started after it.
  await forEachLimited([...inputs.keys()], concurrency, async (i) => {
    for await (const record of inputs[i]) lists[i].push(record);
  });
  return lists;
}

/**
 * The records of several blocks merged into one sequence in trace ID order, each ID once: a trace
 * found in several inputs (flushed twice by one ingester, or by several ingesters) becomes one
 * record with its parts combined and duplicate spans dropped (`combineTraceParts`, as the
 * ingester combines a trace's WAL records), cut at `maxBytesPerTrace` (0: no limit) and marked
 * truncated when any part was. A trace found in one input only is taken as it is, undecoded.
 * `split`, when given, gets the IDs of the traces found in several inputs.
 */
export function mergeSortedRecords(
  lists: readonly (readonly TraceRecord[])[],
  maxBytesPerTrace: number,
  split?: Uint8Array[],
): TraceRecord[] {
  for (const list of lists) {
    for (let i = 1; i < list.length; i++) {
      if (Buffer.compare(list[i].traceId, list[i - 1].traceId) <= 0) {
        throw new Error('a compaction input is not in trace ID order, or repeats a trace');
      }
    }
  }
  const live = lists.filter((list) => list.length > 0);
  if (live.length === 1) return [...live[0]];
  const at = live.map(() => 0);
  const out: TraceRecord[] = [];
  const same: TraceRecord[] = [];
  for (;;) {
    // Inputs are few (a compaction merges a handful of blocks): a scan beats a heap here.
    let smallest: Uint8Array | undefined;
    for (let k = 0; k < live.length; k++) {
      if (at[k] === live[k].length) continue;
      const id = live[k][at[k]].traceId;
      if (smallest === undefined || Buffer.compare(id, smallest) < 0) smallest = id;
    }
    if (smallest === undefined) return out;
    same.length = 0;
    for (let k = 0; k < live.length; k++) {
      if (at[k] === live[k].length) continue;
      const record = live[k][at[k]];
      if (Buffer.compare(record.traceId, smallest) !== 0) continue;
      same.push(record);
      at[k]++;
    }
    if (same.length > 1) split?.push(same[0].traceId);
    out.push(same.length === 1 ? same[0] : combineRecords(same, maxBytesPerTrace));
  }
}

/**
 * `readSortedInputs`, then `mergeSortedRecords`: the traces of a compaction's inputs, merged.
 * `split` gets the IDs of the traces found in several inputs.
 */
export async function mergeSortedTraces(
  inputs: readonly AsyncIterable<TraceRecord>[],
  maxBytesPerTrace: number,
  { concurrency = DEFAULT_READ_CONCURRENCY, split }: { concurrency?: number; split?: Uint8Array[] } = {},
): Promise<TraceRecord[]> {
  return mergeSortedRecords(await readSortedInputs(inputs, concurrency), maxBytesPerTrace, split);
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
