import { type TraceFragment, writeFragments } from './fragment-writer';
import { RequestIndex } from './request-index';

export type { TraceFragment };

export interface SplitTraces {
  fragments: TraceFragment[];
  acceptedSpans: number;
  rejectedSpans: number;
  /** Why spans were rejected, one line per distinct reason. */
  rejectReasons: string[];
}

const REJECTIONS = [
  (n: number) => `${n} ${spans(n)} with a trace_id that is not 16 bytes`,
  (n: number) => `${n} ${spans(n)} with an all-zero trace_id`,
  (n: number) => `${n} ${spans(n)} with a span_id that is not 8 bytes`,
  (n: number) => `${n} ${spans(n)} with an all-zero span_id`,
];
const spans = (n: number) => (n === 1 ? 'span' : 'spans');

/**
 * The ingest hot path: reads an OTLP ExportTraceServiceRequest (or TracesData; the two are
 * wire-identical) and returns one TracesData fragment per trace ID. Only span IDs and times
 * are decoded; spans, resources and scopes are re-framed from the request's own bytes
 * (unknown fields included), so nothing is re-encoded. Everything else is only checked to be
 * well-formed, so that no stored trace can later fail to read. Spans with invalid IDs are
 * counted and left out; malformed input throws `OtlpDecodeError`.
 */
export function splitTracesByTraceId(body: Uint8Array): SplitTraces {
  const index = new RequestIndex(body);
  index.read();
  const rejectReasons: string[] = [];
  let rejectedSpans = 0;
  index.rejections.forEach((n, reason) => {
    if (n === 0) return;
    rejectedSpans += n;
    rejectReasons.push(REJECTIONS[reason](n));
  });
  return {
    fragments: writeFragments(index),
    acceptedSpans: index.spanStart.length,
    rejectedSpans,
    rejectReasons,
  };
}
