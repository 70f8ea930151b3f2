import { describe, expect, it } from 'vitest';
import { compileSamplingPolicies } from '../sampling/policies';
import { SAMPLING_DEFAULTS } from '../sampling/sampling-config';
import { postTraces } from './support/clients';
import { oneLoupePerTest } from './support/loupe-server';
import { queryExemplars } from './support/metrics-api';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/*
 * Span metrics see every span before sampling decides, so an exemplar may name a trace that was
 * then dropped. A dot that opens "not kept by sampling" is a dead end: once a trace is dropped,
 * Prometheus's query_exemplars leaves its exemplars out, while the counts stay exact.
 */

const IDLE_MS = 60_000;
const startLoupe = oneLoupePerTest();

describe('exemplars under tail sampling', () => {
  it('offers exemplars of kept traces only, once the decision is made', async () => {
    const s = await startLoupe({
      ingester: { traceIdlePeriodMs: IDLE_MS, maxBlockDurationMs: 600_000 },
      sampling: {
        ...SAMPLING_DEFAULTS,
        policies: compileSamplingPolicies([
          { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
        ]),
        decisionWaitMs: 10_000,
        maxWaitMs: 40_000,
      },
    });
    const start = Date.now() - 5_000;
    const failed = newTraceId();
    const fine = newTraceId();
    // One span each, in series of their own (the status is a label), so each series' bucket
    // holds its trace's exemplar.
    const spans = [
      { traceId: failed, span: simpleSpan(failed, 'GET /pay', start, { durationMs: 30, statusCode: 2 }) },
      { traceId: fine, span: simpleSpan(fine, 'GET /pay', start, { durationMs: 30 }) },
    ];
    for (const { span } of spans) {
      expect((await postTraces(s.otlp, encodeTraceRequest([{ service: 'pay', spans: [span] }]))).status).toBe(
        200,
      );
    }
    const query = 'traces_spanmetrics_latency_bucket{service="pay"}';
    const exemplarTraces = async () => {
      await s.loupe.seriesMetrics.collectNow();
      const now = Date.now() / 1000;
      const series = await queryExemplars(`${s.api}/prometheus`, query, now - 600, now + 60);
      return series.flatMap((one) => one.exemplars.map((e) => e.labels.traceID)).sort();
    };

    // Undecided: both traces can still be kept, so both are offered.
    expect(await exemplarTraces()).toEqual([hex(failed), hex(fine)].sort());

    s.loupe.ingester.tick(Date.now() + IDLE_MS + 1);
    expect(await exemplarTraces()).toEqual([hex(failed)]);
    // The counts are not sampled: both requests are still there.
    const calls = await fetch(
      `${s.api}/prometheus/api/v1/query?query=${encodeURIComponent('sum(traces_spanmetrics_calls_total{service="pay"})')}`,
    );
    const body = (await calls.json()) as { data: { result: { value: [number, string] }[] } };
    expect(Number(body.data.result[0].value[1])).toBe(2);
  });
});
