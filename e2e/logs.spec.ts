import { expect, type Page, test } from '@playwright/test';
import { buildCheckoutTrace, CHECKOUT_SPAN_COUNT, checkoutSpanIds } from '../fixtures/ui/checkout-trace';
import { attrs, randomTraceId, unixNano } from '../fixtures/ui/otlp-json';
import { ingest, LOUPE_URL, OTLP_HTTP_URL, waitForTrace } from './support/loupe';

/*
 * Logs beside traces, against the real server: OTLP log records carrying trace and span IDs, a
 * line pushed to Loki's API naming the trace in its text (linked by the derived field in
 * `support/logs-config.ts`), and the checkout trace they belong to.
 */
const traceId = randomTraceId();
const ids = checkoutSpanIds(traceId);
const startMs = Date.now() - 10_000;

const CHARGE_LINE = 'card declined (insufficient funds)';
const STRIPE_LINE = 'stripe answered 402 payment_required';
const ORDER_LINE = `level=info msg="order placed" trace_id=${traceId}`;

/** OTLP/HTTP JSON, as an SDK's log exporter sends it (IDs in hex). */
async function pushOtlpLogs(): Promise<void> {
  const record = (
    atMs: number,
    spanId: string,
    severityText: string,
    severityNumber: number,
    body: string,
  ) => ({
    timeUnixNano: unixNano(atMs),
    observedTimeUnixNano: unixNano(atMs),
    severityNumber,
    severityText,
    body: { stringValue: body },
    traceId,
    spanId,
    attributes: attrs({ 'code.function': 'charge' }),
  });
  const body = {
    resourceLogs: [
      {
        resource: { attributes: attrs({ 'service.name': 'payment' }) },
        scopeLogs: [
          {
            scope: { name: 'e2e' },
            logRecords: [
              record(startMs + 37, ids.charge, 'ERROR', 17, CHARGE_LINE),
              record(startMs + 50, ids.stripe, 'WARN', 13, STRIPE_LINE),
            ],
          },
        ],
      },
    ],
  };
  const response = await fetch(`${OTLP_HTTP_URL}/v1/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Loki's JSON push: a plain text line that names the trace. */
async function pushLokiLine(): Promise<void> {
  const response = await fetch(`${LOUPE_URL}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      streams: [{ stream: { service_name: 'checkout' }, values: [[unixNano(startMs + 40), ORDER_LINE]] }],
    }),
  });
  expect(response.status, await response.clone().text()).toBe(204);
}

/** Waits until `query` returns at least `count` lines over the last hour. */
async function waitForLogs(query: string, count: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const params = new URLSearchParams({
          query,
          start: unixNano(Date.now() - 3600_000),
          end: unixNano(Date.now() + 60_000),
          limit: '100',
        });
        const response = await fetch(`${LOUPE_URL}/loki/api/v1/query_range?${params}`);
        if (!response.ok) return -1;
        const body = (await response.json()) as { data?: { result?: { values?: unknown[] }[] } };
        return (body.data?.result ?? []).reduce((n, stream) => n + (stream.values?.length ?? 0), 0);
      },
      { timeout: 30_000, intervals: [200, 500, 1000] },
    )
    .toBeGreaterThanOrEqual(count);
}

test.beforeAll(async () => {
  await ingest(buildCheckoutTrace(traceId, startMs));
  await pushOtlpLogs();
  await pushLokiLine();
  await waitForTrace(traceId, CHECKOUT_SPAN_COUNT);
  await waitForLogs('{service_name="checkout"}', 1);
  await waitForLogs('{service_name="payment"}', 2);
});

const logsPane = (page: Page) => page.getByRole('region', { name: 'Logs pane' });
const tracePane = (page: Page) => page.getByRole('region', { name: 'Trace pane' });

test('a derived trace_id link opens the trace beside the logs; a span opens its own logs', async ({
  page,
}, testInfo) => {
  await page.goto(`/explore?left=logs&logs=${encodeURIComponent('{service_name="checkout"}')}`);
  const lines = logsPane(page).getByRole('list', { name: 'Log lines' });
  await expect(lines.getByText('order placed')).toBeVisible();

  const link = lines.getByRole('link', { name: traceId });
  await expect(link).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('logs-pane.png') });
  await link.click();

  await expect(page).toHaveURL(/right=trace/);
  await expect(page).toHaveURL(new RegExp(`traceId=${traceId}`));
  await expect(tracePane(page).getByRole('heading', { name: 'frontend: GET /checkout' })).toBeVisible();
  await expect(tracePane(page).getByRole('treeitem')).toHaveCount(CHECKOUT_SPAN_COUNT);
  // Side by side: the logs are still in view, left of the waterfall.
  await expect(lines.getByText('order placed')).toBeVisible();
  const logsBox = await logsPane(page).boundingBox();
  const traceBox = await tracePane(page).boundingBox();
  expect(logsBox && traceBox && logsBox.x + logsBox.width <= traceBox.x + 1).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('logs-and-trace-split.png') });

  // Trace to logs: the charge span's logs only.
  await tracePane(page)
    .getByRole('treeitem', { name: /PaymentService\/Charge/ })
    .click();
  const detail = tracePane(page).getByRole('complementary', { name: 'PaymentService/Charge' });
  await detail.getByRole('link', { name: 'Logs for this span' }).click();
  await expect(page).toHaveURL(new RegExp(`span_id%3D%22${ids.charge}`));
  await expect(logsPane(page).getByText(CHARGE_LINE)).toBeVisible();
  await expect(logsPane(page).getByText(STRIPE_LINE)).toHaveCount(0);
  await expect(logsPane(page).getByText('order placed')).toHaveCount(0);
  // The OTLP record carries its trace: a link without any regex.
  await expect(logsPane(page).getByRole('link', { name: 'TraceID' })).toBeVisible();
  await expect(tracePane(page).getByRole('complementary', { name: 'PaymentService/Charge' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('span-logs.png') });
});

test('from the trace page, "Logs for this trace" lists every line of the service for the trace', async ({
  page,
}) => {
  await page.goto(`/trace/${traceId}?span=${ids.charge}`);
  const detail = page.getByRole('complementary', { name: 'PaymentService/Charge' });
  await detail.getByRole('link', { name: 'Logs for this trace' }).click();
  await expect(page).toHaveURL(/left=trace/);
  await expect(logsPane(page).getByText(CHARGE_LINE)).toBeVisible();
  await expect(logsPane(page).getByText(STRIPE_LINE)).toBeVisible();
  // A reload shows the same split view.
  await page.reload();
  await expect(logsPane(page).getByText(STRIPE_LINE)).toBeVisible();
  await expect(tracePane(page).getByRole('complementary', { name: 'PaymentService/Charge' })).toBeVisible();
});

test('a refused query shows the server’s message under the query box', async ({ page }) => {
  await page.goto(`/explore?left=logs&logs=${encodeURIComponent('{service_name="checkout"')}`);
  await expect(logsPane(page).getByRole('alert')).toContainText(/parse error|syntax error/i);
  const box = logsPane(page).getByRole('combobox', { name: 'Log query' });
  await box.fill('{service_name="checkout"}');
  await box.press('Enter');
  await expect(logsPane(page).getByText('order placed')).toBeVisible();
});
