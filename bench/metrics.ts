import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { generateTraceRequests } from '../fixtures/synthetic-traces';
import { startLoupe } from '../server/loupe';
import { MetricsGenerator } from '../server/metrics-generator/metrics-generator';
import { splitTracesByTraceId } from '../server/otlp/split-traces';
import type { BatchSeries } from '../server/series-model/sample-batch';
import { tempDataDir, testConfig } from '../server/testing/test-config';
import { type BenchFigure, figureRow } from './figure';

export interface MetricsBenchOptions {
  /** Length of one timed ingest round; default 500 ms. */
  roundMs?: number;
  /** Timed rounds per variant, the median is reported; default 3. */
  rounds?: number;
  /** query_range requests per query; default 20. */
  queries?: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** Spans per second through the distributor's split, with or without the generator after it. */
function ingestRate(
  requests: Buffer[],
  spans: number,
  ms: number,
  observe?: (request: Buffer) => void,
): number {
  const started = performance.now();
  let passes = 0;
  let elapsed = 0;
  do {
    for (const request of requests) {
      splitTracesByTraceId(request);
      observe?.(request);
    }
    passes++;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  return (passes * spans * 1000) / elapsed;
}

/**
 * (1) The metrics generator's cost on ingest: spans/s through `splitTracesByTraceId` alone (the
 * baseline, what every export pays) and followed by `observeSpans` (span metrics + service
 * graph), alternating rounds in one process. (2) `query_range` latency over HTTP for a
 * `histogram_quantile` over ~1,000 bucket series holding an hour of 15 s samples, beside a
 * plain selector over the same series.
 */
export async function runMetricsBench(opts: MetricsBenchOptions = {}): Promise<{ figures: BenchFigure[] }> {
  const roundMs = opts.roundMs ?? 500;
  const rounds = opts.rounds ?? 3;
  const { requests, spanCount } = generateTraceRequests({
    traces: 2_000,
    spansPerTrace: 10,
    spansPerRequest: 200,
  });
  const config = testConfig();
  const generator = new MetricsGenerator(config.metrics.generator, 1_000_000, {
    onSeriesDropped: () => {},
    onEdgeDropped: () => {},
  });
  const observe = (request: Buffer) => generator.observe('bench', request);
  ingestRate(requests, spanCount, roundMs, observe); // warm-up (JIT, registry series)
  const without: number[] = [];
  const withGenerator: number[] = [];
  for (let i = 0; i < rounds; i++) {
    without.push(ingestRate(requests, spanCount, roundMs));
    withGenerator.push(ingestRate(requests, spanCount, roundMs, observe));
  }

  const latencies = await queryRangeLatencies(opts.queries ?? 20);
  return {
    figures: [
      {
        label: 'ingest with metrics generator (split + span metrics + service graph)',
        value: Math.round(median(withGenerator)),
        unit: 'spans/s',
        baseline: Math.round(median(without)),
        baselineLabel: 'split only, without the generator',
      },
      {
        label: 'query_range histogram_quantile over 1,005 series, 1 h at 15 s (p50)',
        value: latencies.quantile.p50,
        unit: 'ms',
        baseline: latencies.selector.p50,
        baselineLabel: 'plain selector, same series',
      },
      {
        label: 'query_range histogram_quantile over 1,005 series, 1 h at 15 s (p99)',
        value: latencies.quantile.p99,
        unit: 'ms',
        baseline: latencies.selector.p99,
        baselineLabel: 'plain selector, same series',
      },
    ],
  };
}

const SERVICES = 10;
const BUCKETS = [
  '0.002',
  '0.004',
  '0.008',
  '0.016',
  '0.032',
  '0.064',
  '0.128',
  '0.256',
  '0.512',
  '1.024',
  '2.048',
  '4.096',
  '8.192',
  '16.384',
  '+Inf',
];

/** 67 span label sets × 15 buckets, an hour of 15 s samples each, queried over real HTTP. */
async function queryRangeLatencies(queries: number) {
  const dataDir = tempDataDir('loupe-bench-metrics-');
  const loupe = await startLoupe(testConfig({}, dataDir), pino({ level: 'silent' }));
  try {
    const end = Math.floor(Date.now() / 15_000) * 15_000;
    const start = end - 3600_000;
    const series: BatchSeries[] = [];
    for (let set = 0; set < 67; set++) {
      const labels = {
        service: `svc-${set % SERVICES}`,
        span_name: `op-${set}`,
        span_kind: 'SPAN_KIND_SERVER',
        status_code: 'STATUS_CODE_UNSET',
      };
      BUCKETS.forEach((le, b) => {
        const timestamps: number[] = [];
        const values: number[] = [];
        for (let t = start, i = 0; t <= end; t += 15_000, i++) {
          timestamps.push(t);
          values.push(i * (b + 1) * (1 + (set % 3)));
        }
        series.push({
          labels: { __name__: 'traces_spanmetrics_latency_bucket', ...labels, le },
          timestamps,
          values,
        });
      });
    }
    await loupe.seriesMetrics.store.append('single-tenant', { series }).durable;
    const base = `http://127.0.0.1:${loupe.ports.http}/prometheus/api/v1/query_range`;
    const time = async (query: string) => {
      const params = new URLSearchParams({
        query,
        start: String(start / 1000),
        end: String(end / 1000),
        step: '15s',
      });
      const samples: number[] = [];
      for (let i = 0; i < queries + 2; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}?${params}`);
        const body = (await res.json()) as { status: string };
        if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
        if (i >= 2) samples.push(performance.now() - t0); // two warm-up requests
      }
      return { p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)) };
    };
    const quantile = await time(
      'histogram_quantile(0.95, sum by (le, service) (rate(traces_spanmetrics_latency_bucket[1m])))',
    );
    const selector = await time('traces_spanmetrics_latency_bucket{le="+Inf"}');
    return { quantile, selector };
  } finally {
    await loupe.stop();
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { figures } = await runMetricsBench();
  for (const f of figures) console.log(`| ${figureRow(f).join(' | ')} |`);
}
