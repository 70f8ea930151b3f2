import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { buildCheckoutTrace, CHECKOUT_SPAN_COUNT } from '../fixtures/ui/checkout-trace';
import { attrs, type OtlpTraces, randomTraceId, unixNano } from '../fixtures/ui/otlp-json';
import { ingest, waitForTrace } from './support/loupe';
import { waitForSearchHit } from './support/search';

/*
 * Trace search against the real server: checkout traces tagged with an attribute no other spec's
 * traces carry (every spec shares one server), found with TraceQL, with the form, and from the
 * landing page's recent traces.
 */
const run = `run-${randomTraceId().slice(0, 12)}`;
const traceId = randomTraceId();
const byRun = `{ resource.e2e.search_run = "${run}" }`;

interface Variant {
  /** Every span's offset from the start multiplied by this: a longer or shorter trace. */
  stretch?: number;
  /** False: no span fails (the payment span's error and exception are removed). */
  failed?: boolean;
  rootName?: string;
}

/**
 * The checkout trace with `e2e.search_run` on every resource, so a search can single out this
 * spec's traces; stretched, and with or without its failure, so the scatter has a spread.
 */
function taggedCheckoutTrace(id: string, startMs: number, variant: Variant = {}): OtlpTraces {
  const { stretch = 1, failed = true, rootName } = variant;
  const trace = buildCheckoutTrace(id, startMs);
  const base = BigInt(unixNano(startMs));
  const scale = (nanos: string) =>
    (base + BigInt(Math.round(Number(BigInt(nanos) - base) * stretch))).toString();
  for (const rs of trace.resourceSpans) {
    rs.resource.attributes.push(...attrs({ 'e2e.search_run': run }));
    for (const span of rs.scopeSpans.flatMap((ss) => ss.spans)) {
      span.startTimeUnixNano = scale(span.startTimeUnixNano);
      span.endTimeUnixNano = scale(span.endTimeUnixNano);
      for (const event of span.events ?? []) event.timeUnixNano = scale(event.timeUnixNano);
      if (!failed) {
        delete span.status;
        delete span.events;
      }
      if (rootName && !span.parentSpanId) span.name = rootName;
    }
  }
  return trace;
}

/** Besides the trace the tests open: four more of this run, two of them failed, minutes apart. */
const others: { id: string; agoMs: number; variant: Variant }[] = [
  { id: randomTraceId(), agoMs: 150_000, variant: { stretch: 4, failed: false } },
  { id: randomTraceId(), agoMs: 110_000, variant: { stretch: 9 } },
  { id: randomTraceId(), agoMs: 70_000, variant: { stretch: 2, failed: false } },
  { id: randomTraceId(), agoMs: 40_000, variant: { stretch: 6 } },
];

test.beforeAll(async () => {
  await ingest(taggedCheckoutTrace(traceId, Date.now() - 10_000));
  for (const other of others)
    await ingest(taggedCheckoutTrace(other.id, Date.now() - other.agoMs, other.variant));
  await waitForTrace(traceId, CHECKOUT_SPAN_COUNT);
  for (const id of [traceId, ...others.map((o) => o.id)]) await waitForSearchHit(byRun, id);
});

const editor = (page: Page) => page.getByRole('combobox', { name: 'TraceQL query' });
const results = (page: Page) => page.getByRole('table', { name: 'Traces found' });
const traceLink = (page: Page, id: string) => results(page).getByRole('link', { name: `Trace ${id}` });

test('a typed TraceQL query finds the traces, and a row opens the waterfall', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/\/search/);
  await editor(page).click();
  await editor(page).pressSequentially(byRun);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(results(page).getByRole('row')).toHaveCount(1 + 1 + others.length);
  const row = results(page)
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: `Trace ${traceId}` }) });
  await expect(row).toContainText('frontend: GET /checkout');
  await expect(row).toContainText('1 error');
  await expect(
    page.getByRole('img', { name: 'Duration over time of 5 traces, 3 with errors' }),
  ).toBeVisible();
  mkdirSync('docs/images', { recursive: true });
  await page.screenshot({ path: 'docs/images/search.png' });

  // The search is a link: a reload shows the same query and the same row.
  await page.reload();
  await expect(editor(page)).toHaveValue(byRun);
  await expect(traceLink(page, traceId)).toBeVisible();

  await row.getByRole('cell').nth(1).click();
  await expect(page).toHaveURL(new RegExp(`/trace/${traceId}`));
  await expect(page.getByRole('heading', { name: 'frontend: GET /checkout' })).toBeVisible();
  await expect(page.getByRole('tree', { name: 'Spans' }).getByRole('treeitem')).toHaveCount(
    CHECKOUT_SPAN_COUNT,
  );
});

test('the search form writes TraceQL, and running it finds the trace', async ({ page }) => {
  await page.goto('/search');
  await page.getByRole('button', { name: 'Search form' }).click();
  const form = page.getByRole('form', { name: 'Search form' });
  const service = form.getByRole('combobox', { name: 'Service' });
  // Services come from the tag values API.
  await expect(service.locator('option', { hasText: 'payment' })).toHaveCount(1);
  await service.selectOption('payment');
  await form.getByRole('textbox', { name: 'Tags' }).fill(`resource.e2e.search_run=${run}`);
  await form.getByRole('textbox', { name: 'Min duration' }).fill('100ms');
  await form.getByRole('combobox', { name: 'Status' }).selectOption('error');
  const written = `{ resource.service.name = "payment" && resource.e2e.search_run = "${run}" && duration >= 100ms && status = error }`;
  await expect(form.getByRole('status', { name: 'TraceQL written by the form' })).toHaveText(written);
  await form.getByRole('button', { name: 'Run query' }).click();
  expect(new URL(page.url()).searchParams.get('q')).toBe(written);
  // Only the failed traces whose payment span lasted 100 ms or more: stretched 6 and 9 times.
  await expect(traceLink(page, others[1].id)).toBeVisible();
  await expect(traceLink(page, others[3].id)).toBeVisible();
  await expect(results(page).getByRole('row')).toHaveCount(3);
});

test('a bad query shows the server’s message under the editor', async ({ page }) => {
  await page.goto(`/search?q=${encodeURIComponent('{ span.foo && }')}`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The query is not valid TraceQL');
  await expect(alert).toContainText(/parse error/i);
  await expect(editor(page)).toHaveAttribute('aria-invalid', 'true');
  await expect(results(page)).toHaveCount(0);
});

test('the landing page lists recent traces, and one opens', async ({ page }) => {
  // The newest trace of all, so it is on the list whatever the other specs sent.
  const newest = randomTraceId();
  const rootName = `GET /recent-${run}`;
  await ingest(taggedCheckoutTrace(newest, Date.now() - 1_000, { rootName }));
  await waitForTrace(newest, CHECKOUT_SPAN_COUNT);
  await waitForSearchHit('{}', newest);

  await page.goto('/');
  const recent = page.getByRole('list', { name: 'Most recent traces' });
  const link = recent.getByRole('link', { name: new RegExp(`frontend: ${rootName}`) });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/trace/${newest}`));
  await expect(page.getByRole('heading', { name: `frontend: ${rootName}` })).toBeVisible();
  await expect(page.getByRole('tree', { name: 'Spans' })).toBeVisible();
});
