import { compareTraceIds, TRACE_ID_BYTES } from '../trace-id';
import type { TraceRecord } from '../types';

/** Every format's input contract: 16-byte IDs, sorted, each once. */
export function checkSortedUnique(traces: readonly TraceRecord[]): void {
  for (let i = 0; i < traces.length; i++) {
    if (traces[i].traceId.length !== TRACE_ID_BYTES) {
      throw new RangeError(`trace ${i} has a ${traces[i].traceId.length}-byte ID; 16 bytes expected`);
    }
    if (i > 0 && compareTraceIds(traces[i - 1].traceId, traces[i].traceId) >= 0) {
      throw new RangeError(`traces must be sorted by trace ID without duplicates (at index ${i})`);
    }
  }
}
