import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { buildCheckoutTrace, CHECKOUT_SPAN_COUNT } from '../fixtures/ui/checkout-trace';
import { randomTraceId } from '../fixtures/ui/otlp-json';
import { type RunningPrometheus, startPrometheus } from '../server/testing/prometheus';
import { ingest, LOUPE_URL, waitForTrace } from './support/loupe';
import { PROMETHEUS_PORT } from './support/metrics-config';

/*
 * Metrics beside traces, against the real server: checkout traces become span metrics (sampled
 * every second, see `support/metrics-config.ts`) whose latency buckets carry exemplars; the
 * metrics pane draws them as dots, and a dot opens its trace in the pane beside the chart.
 */
const LATENCY = 'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))';
const traceIds = [randomTraceId(), randomTraceId(), randomTraceId()];

test.describe.configure({ mode: 'serial' });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `path` of the Prometheus API at `base` over the last 15 minutes until `holds(body)`. */
async function pollQuery(
  base: string,
  path: string,
  params: Record<string, string>,
  holds: (body: { data?: unknown }) => boolean,
  timeoutMs: number,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const end = Date.now() / 1000;
        const url = new URL(`${base}${path}`);
        for (const [name, value] of Object.entries({
          query: LATENCY,
          start: String(end - 900),
          end: String(end),
          ...params,
        }))
          url.searchParams.set(name, value);
        const response = await fetch(url).catch(() => undefined);
        return response?.ok ? holds((await response.json()) as { data?: unknown }) : false;
      },
      { timeout: timeoutMs, intervals: [500, 1000] },
    )
    .toBe(true);
}

/** Waits until the data source at `base` has exemplars of the latency query naming one of our traces. */
const waitForExemplars = (base: string, timeoutMs: number) =>
  pollQuery(
    base,
    '/api/v1/query_exemplars',
    {},
    (body) =>
      ((body.data ?? []) as { exemplars?: { labels?: Record<string, string> }[] }[]).some((series) =>
        (series.exemplars ?? []).some((e) => traceIds.includes(e.labels?.traceID ?? '')),
      ),
    timeoutMs,
  );

/**
 * Waits until the latency query has a value at `base`: a rate needs two samples of its counter,
 * which a scraping Prometheus has only a scrape or two after the exemplar it already serves.
 */
const waitForLatencyLine = (base: string, timeoutMs: number) =>
  pollQuery(
    base,
    '/api/v1/query_range',
    { step: '15' },
    (body) =>
      ((body.data as { result?: { values?: unknown[] }[] })?.result ?? []).some(
        (s) => (s.values ?? []).length > 0,
      ),
    timeoutMs,
  );

test.beforeAll(async () => {
  // Batches a few seconds apart: counters rise between collections, so the chart has rates, and
  // the traces' dots sit apart on the time axis.
  for (const [i, traceId] of traceIds.entries()) {
    if (i > 0) await pause(3000);
    await ingest(buildCheckoutTrace(traceId, Date.now() - 200));
  }
  for (const traceId of traceIds) await waitForTrace(traceId, CHECKOUT_SPAN_COUNT);
  await waitForExemplars(`${LOUPE_URL}/prometheus`, 30_000);
});

function explorePath(extra = ''): string {
  const params = new URLSearchParams({ left: 'metrics', metrics: LATENCY, from: 'now-5m', to: 'now' });
  return `/explore?${params.toString()}${extra}`;
}

/**
 * Points at a dot of one of our traces, reads the trace ID its tooltip shows, clicks it and checks
 * that the pane beside the chart shows that trace's waterfall.
 */
async function clickDotAndSeeItsTrace(page: Page): Promise<void> {
  const chart = page.getByRole('img', { name: `Chart of ${LATENCY}` });
  await expect(chart).toBeVisible();
  const ours = new RegExp(`^Exemplar .+, trace (${traceIds.map((id) => id.slice(0, 8)).join('|')})…$`);
  const dot = page.getByRole('button', { name: ours }).last();
  await expect(dot).toBeVisible();
  await expect(page.locator('.metrics-lines path').first()).toBeAttached();

  // The dot under the pointer is the one clicked, even where dots overlap: read its tooltip first.
  const box = await dot.boundingBox();
  if (!box) throw new Error('the exemplar dot has no box');
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x, y);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText('traceID');
  const traceId = /traceID([0-9a-f]{32})/.exec((await tooltip.textContent()) ?? '')?.[1];
  expect(traceId, 'the tooltip names the trace').toBeTruthy();
  const spanId = /spanID([0-9a-f]{16})/.exec((await tooltip.textContent()) ?? '')?.[1];
  await page.mouse.click(x, y);

  await expect.poll(() => new URL(page.url()).searchParams.get('traceId')).toBe(traceId);
  expect(new URL(page.url()).searchParams.get('right')).toBe('trace');
  // Focused on the span the exemplar names (span metrics' exemplars carry both IDs).
  expect(spanId, 'the tooltip names the span').toBeTruthy();
  expect(new URL(page.url()).searchParams.get('span')).toBe(spanId);
  await expect(page.getByRole('tree', { name: 'Spans' }).getByRole('treeitem')).toHaveCount(
    CHECKOUT_SPAN_COUNT,
  );
  await expect(page.getByRole('heading', { name: 'frontend: GET /checkout' })).toBeVisible();
  // The chart stays beside the trace.
  await expect(chart).toBeVisible();
}

test('Loupe as the metrics source: the chart draws exemplar dots, a click opens the trace beside it', async ({
  page,
}) => {
  await page.goto(explorePath());
  await clickDotAndSeeItsTrace(page);
  await page.screenshot({ path: test.info().outputPath('metrics-loupe.png') });
});

test('the landing page shows the RED view and the service graph; a node filters the view', async ({
  page,
}) => {
  await page.goto('/?from=now-5m&to=now');
  const red = page.getByRole('region', { name: 'Services' });
  await expect(red).toBeVisible();
  await expect(red.getByRole('button', { name: 'All services' })).toHaveAttribute('aria-pressed', 'true');
  await expect(
    red.getByRole('article', { name: 'Rate (spans/s)' }).locator('.metrics-lines path').first(),
  ).toBeAttached();

  // The checkout fixture's client span from frontend to cart pairs with cart's server span.
  const node = red.getByRole('button', { name: /^cart, .* requests per second$/ });
  await expect(node).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('landing-red.png'), fullPage: true });
  await node.click();
  await expect(page).toHaveURL(/[?&]red=cart(&|$)/);
  await expect(node).toHaveAttribute('aria-pressed', 'true');
  await expect(red.getByRole('button', { name: 'cart', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const duration = red.getByRole('article', { name: 'Duration' });
  await expect(duration.getByRole('link', { name: 'Open in Explore' })).toHaveAttribute(
    'href',
    /traces_spanmetrics_latency_bucket%7Bservice%3D%22cart%22%7D/,
  );
});

test.describe('with a real Prometheus scraping Loupe', () => {
  let prometheus: RunningPrometheus | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'loupe-e2e-prometheus-'));

  test.beforeAll(async () => {
    test.setTimeout(240_000); // the first run may install Prometheus
    prometheus = await startPrometheus({
      port: PROMETHEUS_PORT,
      scrapeTarget: new URL(LOUPE_URL).host,
      dataDir,
    });
    // A trace after the first scrape: Prometheus sees the counters rise and a fresh exemplar.
    const traceId = randomTraceId();
    traceIds.push(traceId);
    await ingest(buildCheckoutTrace(traceId, Date.now() - 200));
    await waitForTrace(traceId, CHECKOUT_SPAN_COUNT);
    // Through Loupe's proxy, as the UI asks.
    await waitForExemplars(`${LOUPE_URL}/loupe/proxy/prometheus`, 60_000);
    await waitForLatencyLine(`${LOUPE_URL}/loupe/proxy/prometheus`, 60_000);
  });

  test.afterAll(async () => {
    await prometheus?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('Prometheus as the metrics source: its exemplar dots open the trace beside the chart', async ({
    page,
  }) => {
    await page.goto(explorePath('&mds=prometheus'));
    await expect(page.getByRole('combobox', { name: 'Data source' })).toHaveValue('prometheus');
    await clickDotAndSeeItsTrace(page);
    await page.screenshot({ path: test.info().outputPath('metrics-prometheus.png') });
  });
});
