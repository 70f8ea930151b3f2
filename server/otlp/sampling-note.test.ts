import { describe, expect, it } from 'vitest';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../integration/support/otlp-request';
import { combineTraceParts } from './combine-trace';
import { otlpProtoTypes } from './protobuf-root';
import { encodeSamplingNote, readSamplingNote } from './sampling-note';
import { forEachSpan } from './span-visitor';

describe('the sampling note stored with a kept trace', () => {
  const traceId = newTraceId();
  const first = encodeTraceRequest([
    { service: 'checkout', spans: [simpleSpan(traceId, 'GET /', 1_700_000_000_000)] },
  ]);
  const second = encodeTraceRequest([
    { service: 'orders', spans: [simpleSpan(traceId, 'SELECT', 1_700_000_000_001)] },
  ]);

  it('reads back the policy it was written with, and nothing from a trace without one', () => {
    const note = { policy: 'errors and slow ✓', reason: 'sampled' };
    expect(readSamplingNote(encodeSamplingNote(note))).toEqual(note);
    expect(readSamplingNote(encodeSamplingNote({ policy: '', reason: 'not-sampled' }))).toEqual({
      policy: '',
      reason: 'not-sampled',
    });
    expect(readSamplingNote(first)).toBeUndefined();
  });

  it('survives combining parts (the first note wins) and leaves the spans as they were', () => {
    const combined = combineTraceParts(
      [
        first,
        encodeSamplingNote({ policy: 'errors', reason: 'sampled' }),
        second,
        encodeSamplingNote({ policy: 'later', reason: 'sampled' }),
      ],
      0,
    );
    expect(combined.spanCount).toBe(2);
    expect(readSamplingNote(combined.data)?.policy).toBe('errors');
    // Combined again (a compaction of a compacted block): still one note, the same.
    const again = combineTraceParts([combined.data, second], 0);
    expect(readSamplingNote(again.data)?.policy).toBe('errors');
    expect(again.data.length).toBe(combined.data.length);
    const names: string[] = [];
    forEachSpan(again.data, (span) => names.push(span.name));
    expect(names).toEqual(['GET /', 'SELECT']);
  });

  it('is skipped by a standard protobuf reader, as Grafana and Tempo clients skip it', () => {
    const combined = combineTraceParts(
      [encodeSamplingNote({ policy: 'errors', reason: 'sampled' }), first],
      0,
    );
    const { ExportTraceServiceRequest } = otlpProtoTypes();
    const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(combined.data)) as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(
      decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name))),
    ).toEqual(['GET /']);
  });
});
