import { expect } from '@playwright/test';
import {
  exemplarTraceIds,
  getJson,
  queryExemplars,
  queryLogs,
  searchTraces,
} from '../../demo/testing/demo-api';
// The latency buckets every chart of span durations reads (their exemplars are its dots), and
// the UI's own queries over them: the walk waits for what the landing page will draw.
import { redQueries, SPAN_LATENCY_BUCKET } from '../../web/src/metrics/promql';

/**
 * What the running demo's Loupe holds, asked through its own APIs (Tempo's search, Loki's and
 * Prometheus's): the failed traces tail sampling kept, the error log lines that belong to them,
 * the exemplars that point at them. The walks in `demo.spec.ts` start from the UI; these say
 * when there is something to walk to, and which of several candidates is a failed trace.
 */

/** The landing page's p95 line: the query the UI itself sends. */
const P95_LATENCY = redQueries().latency.find((line) => line.name === 'p95')!.query;
/** The demo's metrics collection interval (demo/loupe.yaml). */
const CHART_STEP_S = 5;
/** Fewer, and the charts in the pictures are a dot or two rather than lines. */
const MIN_CHART_POINTS = 8;
/** What the demo's log lines end in (see `demo/telemetry/log.ts`). */
const TRACE_ID_IN_LINE = /trace_id=([0-9a-f]{32})/;
/** Older than this, a trace's spans have all arrived and tail sampling has decided it. */
const SETTLED_MS = 10_000;
const LOOK_BACK_S = 600;

const timeWindow = () => {
  const end = Math.ceil(Date.now() / 1000);
  return { start: end - LOOK_BACK_S, end: end + 60 };
};

/** The newest failed traces the `errors` sampling policy has kept (decided, so no longer live). */
export async function keptErrorTraceIds(api: string): Promise<Set<string>> {
  const traces = await searchTraces(api, '{ status = error }', 200, timeWindow());
  return new Set(traces.filter((t) => t.sampling?.policy === 'errors').map((t) => t.traceID));
}

export interface ErrorLogLine {
  timeMs: number;
  traceId: string;
}

/** The newest ERROR line, old enough to have settled, whose trace is one of `kept`. */
async function errorLogLineOfKeptTrace(
  api: string,
  kept: ReadonlySet<string>,
): Promise<ErrorLogLine | undefined> {
  const found = await queryLogs(api, '{service_name=~".+"} | detected_level="error"', {
    limit: 200,
    direction: 'backward',
    since: `${LOOK_BACK_S}s`,
  });
  const lines = found
    .map(({ nanos, line }) => ({
      timeMs: Number(nanos / 1_000_000n),
      traceId: TRACE_ID_IN_LINE.exec(line)?.[1] ?? '',
    }))
    .sort((a, b) => b.timeMs - a.timeMs);
  const settledBefore = Date.now() - SETTLED_MS;
  return lines.find((l) => l.timeMs < settledBefore && kept.has(l.traceId));
}

/** Waits for `errorLogLineOfKeptTrace` to find one. */
export async function settledErrorLogLine(api: string, timeoutMs: number): Promise<ErrorLogLine> {
  let found: ErrorLogLine | undefined;
  await expect
    .poll(
      async () => {
        found = await errorLogLineOfKeptTrace(api, await keptErrorTraceIds(api));
        return found !== undefined;
      },
      { timeout: timeoutMs, intervals: [1000], message: 'a settled ERROR line of a kept failed trace' },
    )
    .toBe(true);
  return found!;
}

/** How many points the p95 latency line has over the last minutes. */
async function latencyPoints(api: string): Promise<number> {
  const end = Math.floor(Date.now() / 1000);
  const params = new URLSearchParams({
    query: P95_LATENCY,
    step: String(CHART_STEP_S),
    start: String(end - LOOK_BACK_S),
    end: String(end),
  });
  const body = await getJson<{ data?: { result?: { values?: unknown[] }[] } }>(
    `${api}/prometheus/api/v1/query_range?${params}`,
  );
  return Math.max(0, ...(body.data?.result ?? []).map((series) => series.values?.length ?? 0));
}

/**
 * Waits until each of the three ways has a failed trace at its end (a kept failed trace, an
 * ERROR log line of one, an exemplar of one) and the charts have lines to picture.
 */
export async function waitForDemoData(
  api: string,
  timeoutMs: number,
  assertRunning: () => void,
): Promise<void> {
  await expect
    .poll(
      async () => {
        assertRunning(); // thrown out of the poll: a stopped demo will not get there
        try {
          const kept = await keptErrorTraceIds(api);
          if (kept.size === 0) return 'no failed trace kept yet';
          if (!(await errorLogLineOfKeptTrace(api, kept))) return 'no settled ERROR line of a kept trace yet';
          const exemplars = exemplarTraceIds(await queryExemplars(api, SPAN_LATENCY_BUCKET, timeWindow()));
          if (!exemplars.some((id) => kept.has(id))) return 'no exemplar of a kept failed trace yet';
          const points = await latencyPoints(api);
          if (points < MIN_CHART_POINTS) return `the latency line has ${points} points, not yet a line`;
          return 'ready';
        } catch (err) {
          return (err as Error).message;
        }
      },
      { timeout: timeoutMs, intervals: [1000, 2000], message: 'the demo has failed traces to walk to' },
    )
    .toBe('ready');
}
