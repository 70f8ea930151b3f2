import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { buildCheckoutTrace, CHECKOUT_SPAN_COUNT, checkoutSpanIds } from '../fixtures/ui/checkout-trace';
import { randomTraceId } from '../fixtures/ui/otlp-json';
import { ingest, waitForTrace } from './support/loupe';

const traceId = randomTraceId();
const ids = checkoutSpanIds(traceId);

test.beforeAll(async () => {
  await ingest(buildCheckoutTrace(traceId, Date.now() - 10_000));
  await waitForTrace(traceId, CHECKOUT_SPAN_COUNT);
});

const rows = (page: Page) => page.getByRole('treeitem');

test('paste a trace ID, read the waterfall, expand, collapse and open details', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Trace ID' }).fill(`  "${traceId.toUpperCase()}" `);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`/trace/${traceId}`);
  await expect(page.getByRole('heading', { name: 'frontend: GET /checkout' })).toBeVisible();
  await expect(rows(page)).toHaveCount(CHECKOUT_SPAN_COUNT);

  const charge = page.getByRole('treeitem', { name: /^payment PaymentService\/Charge, 45ms, error/ });
  await expect(charge).toBeVisible();
  await expect(charge.locator('.error-marker')).toBeVisible();
  await expect(
    page.getByRole('treeitem', { name: /^checkout CheckoutService\/PlaceOrder.*a descendant failed/ }),
  ).toBeVisible();

  const placeOrder = page.getByRole('treeitem', { name: /PlaceOrder/ });
  await placeOrder.getByRole('button', { name: 'Collapse' }).click();
  await expect(rows(page)).toHaveCount(CHECKOUT_SPAN_COUNT - 3);
  await expect(placeOrder).toHaveAttribute('aria-expanded', 'false');
  await placeOrder.getByRole('button', { name: 'Expand' }).click();
  await expect(rows(page)).toHaveCount(CHECKOUT_SPAN_COUNT);

  await charge.click();
  const detail = page.getByRole('complementary', { name: 'PaymentService/Charge' });
  await expect(detail).toBeVisible();
  await expect(detail.getByText('Error — card declined')).toBeVisible();
  await expect(detail.getByLabel('Stack trace')).toContainText(
    'at charge (/srv/payment/src/charge.ts:42:11)',
  );
  await expect(page).toHaveURL(`/trace/${traceId}?span=${ids.charge}`);

  mkdirSync('docs/images', { recursive: true });
  await page.screenshot({ path: 'docs/images/trace-view.png' });
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.screenshot({ path: test.info().outputPath('trace-view-light.png') });
});

test('keyboard: arrows move, Enter opens details', async ({ page }) => {
  await page.goto(`/trace/${traceId}`);
  await page.getByRole('tree', { name: 'Spans' }).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('complementary', { name: 'POST /api/cart' })).toBeVisible();
});

test('a deep link selects the span, and survives a reload', async ({ page }) => {
  await page.goto(`/trace/${traceId}?span=${ids.redis}`);
  const detail = page.getByRole('complementary', { name: 'HGETALL' });
  await expect(detail).toBeVisible();
  await expect(page.getByRole('treeitem', { name: /HGETALL/ })).toHaveAttribute('aria-selected', 'true');
  await page.reload();
  await expect(detail).toBeVisible();
  await page.goto(`/trace/${traceId}`);
  // index.html asks for the trace before the app loads; the app adopts that answer: one request.
  const traceRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/v2/traces/')) traceRequests.push(request.url());
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'frontend: GET /checkout' })).toBeVisible();
  // The server rendered the page; the app adopts it (no longer inert) and it responds to clicks.
  await expect(page.locator('#root')).not.toHaveAttribute('inert');
  await page.getByRole('treeitem', { name: /^cart CartService\/GetCart/ }).click();
  await expect(page.getByRole('complementary', { name: 'CartService/GetCart' })).toBeVisible();
  expect(traceRequests).toHaveLength(1);
  // The placeholder top bar in index.html is gone once the app has rendered.
  await expect(page.locator('.boot-skeleton')).toHaveCount(0);
  await expect(page.getByRole('banner')).toHaveCount(1);
});

test('the server renders the trace page: readable before the app runs', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`/trace/${traceId}`);
  await expect(page.locator('h1')).toHaveText('frontend: GET /checkout');
  const rows = page.locator('[role="treeitem"]');
  await expect(rows).toHaveCount(9);
  await expect(rows.first()).toBeVisible();
  await expect(page.locator('[role="treeitem"].is-error')).toContainText('PaymentService/Charge');
  await page.screenshot({ path: test.info().outputPath('server-rendered.png') });
  await context.close();
});

test('unknown and invalid IDs are explained', async ({ page }) => {
  const unknown = randomTraceId();
  await page.goto(`/trace/${unknown}`);
  await expect(page.getByRole('heading', { name: 'Trace not found' })).toBeVisible();
  await expect(page.getByText(unknown)).toBeVisible();
  await page.getByRole('textbox', { name: 'Trace ID' }).fill('not-a-trace-id');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('only 0–9 and a–f');
});

test('a Jaeger JSON file opens without the server', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Trace JSON file').setInputFiles('fixtures/ui/jaeger-trace.json');
  await expect(page.getByRole('heading', { name: 'frontend: HTTP GET /dispatch' })).toBeVisible();
  await expect(page.getByRole('treeitem', { name: /FindDriverIDs.*error/ })).toBeVisible();
});
