import { mkdirSync } from 'node:fs';
import { expect as baseExpect, type Page, test } from '@playwright/test';
import { keptErrorTraceIds, settledErrorLogLine, waitForDemoData } from './support/demo-data';
import { type RunningDemo, startDemo } from './support/demo-launcher';

/*
 * `npm run demo` for real (its own Loupe, six instrumented services, the load), then the three
 * ways from its landing page to a failed trace's waterfall, as docs/demo.md tells a newcomer to
 * take them: the list of recent errors, an ERROR log line's trace link, a dot on the latency
 * chart. Each walk ends on a span marked failed. The README's pictures of the three are taken on
 * the way.
 */

test.use({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
// Two shared cores run the demo (seven processes under load) and the browser: pages and traces
// can take seconds to load.
test.describe.configure({ timeout: 90_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

/** The time range docs/demo.md recommends, so the charts are not squeezed against an hour's end. */
const LAST_5_MINUTES = 'from=now-5m&to=now';
const TRACE_ID = /\/trace\/([0-9a-f]{32})/;
const DOT_TRACE_PREFIX = /trace ([0-9a-f]{8})…$/;

let demo: RunningDemo;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  demo = await startDemo(5);
  await waitForDemoData(demo.url, 150_000, demo.assertRunning);
});

test.afterAll(async () => {
  test.setTimeout(90_000);
  await demo?.stop();
});

/**
 * The landing page once its three panels have loaded: the first-steps links scroll to a panel,
 * and a page still growing below it could not scroll that far yet.
 */
async function openLanding(page: Page, range: string) {
  await page.goto(`${demo.url}/?${range}`);
  await expect(page.getByRole('list', { name: 'Most recent errors' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Log lines' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Duration' })).toBeVisible();
}

async function screenshot(page: Page, name: string) {
  // The pointer off the row a click left it on, which would show hovered.
  await page.mouse.move(0, 0);
  mkdirSync('docs/images', { recursive: true });
  await page.screenshot({ path: `docs/images/${name}` });
}

/** The trace's view (the trace page, or Explore's pane): "Next error" lands on a failed span. */
async function expectFailedSpan(page: Page, traceId: string) {
  const view = page.getByRole('region', { name: `Trace ${traceId}` });
  const toolbar = view.getByRole('toolbar', { name: 'Trace actions' });
  await expect(toolbar).toContainText(/[1-9]\d* errors?/);
  await toolbar.getByRole('button', { name: /Next error/ }).click();
  const selected = view.getByRole('tree', { name: 'Spans' }).getByRole('treeitem', { selected: true });
  await expect(selected).toHaveAccessibleName(/, error(,|$)/);
  await expect(selected).toHaveClass(/\bis-error\b/);
  await expect(selected.locator('.error-marker')).toBeVisible();
}

test('a failed trace from the list of recent errors: its waterfall, kept by the errors policy', async ({
  page,
}) => {
  await openLanding(page, LAST_5_MINUTES);
  await page.getByRole('link', { name: 'Open an error trace from the list' }).click();
  const newest = page.getByRole('list', { name: 'Most recent errors' }).getByRole('link').first();
  await expect(newest.getByText('error', { exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Most recent traces' })).toBeVisible();
  await screenshot(page, 'path-search.png');

  await newest.click();
  await expect(page).toHaveURL(TRACE_ID);
  const traceId = TRACE_ID.exec(page.url())![1];
  const view = page.getByRole('region', { name: `Trace ${traceId}` });
  const sampling = view
    .locator('.trace-stat')
    .filter({ has: page.getByRole('term').filter({ hasText: /^Sampling$/ }) })
    .getByRole('definition');
  // The newest failure may still be live (no sampling decision, so no note): a reload shows the
  // decision once it is taken, 3 s after the root span arrives.
  await expect(async () => {
    await expect(view.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 15_000 });
    if (!(await sampling.isVisible())) {
      await page.reload();
      throw new Error('the trace is still live: no sampling decision yet');
    }
    await expect(sampling).toHaveText('kept by errors', { timeout: 5_000 });
  }).toPass({ timeout: 45_000, intervals: [1_000, 2_000] });
  await expectFailedSpan(page, traceId);
});

test("an ERROR log line's trace link: the failed trace it was written in", async ({ page }) => {
  const line = await settledErrorLogLine(demo.url, 30_000);
  // The panel's newest 20 lines are two seconds of the demo's traffic, where an ERROR line is a
  // matter of luck: a user picks *Errors*, as the first-steps card suggests. The range ends at a
  // line whose trace has settled (its spans stored and decided), as an absolute range in the time
  // picker would: the very newest error lines may be ahead of their trace's spans.
  await openLanding(page, `from=${line.timeMs - 5 * 60_000}&to=${line.timeMs + 1}`);
  await page.getByRole('link', { name: "Follow a log line's trace link" }).click();
  const panel = page.getByRole('region', { name: 'Recent logs' });
  await panel.getByRole('radio', { name: 'Errors' }).check();
  await expect(page).toHaveURL(/[?&]logs=errors\b/);
  // The demo's lines end in `trace_id=<id>`, which its derived field turns into a link.
  const traceLink = page.getByRole('link', { name: line.traceId, exact: true });
  const errorLine = panel
    .getByRole('list', { name: 'Log lines' })
    .getByRole('listitem')
    .filter({ has: page.locator('.log-row.log-level--error') })
    .filter({ has: traceLink });
  await expect(errorLine.first()).toBeVisible();
  await screenshot(page, 'path-logs.png');

  await errorLine.first().locator(traceLink).click();
  await expect(page).toHaveURL(new RegExp(`/trace/${line.traceId}`));
  await expectFailedSpan(page, line.traceId);
});

test('a dot on the latency chart: its failed trace, opened beside the chart', async ({ page }) => {
  // The demo's life so far rather than the last 5 minutes: the lines fill the charts' width.
  await openLanding(page, `from=${demo.startedAtMs}&to=now`);
  await page.getByRole('link', { name: 'Click a dot on a latency chart' }).click();
  const chart = page.getByRole('article', { name: 'Duration' });
  const dots = chart.getByRole('button', { name: /^Exemplar / });

  // Most dots are spans of traces that succeeded: pick one of a failed trace, by its label (the
  // leftmost: its tooltip, flipped to its left to stay in view, hides the least of the chart).
  let traceId = '';
  let dotLabel = '';
  await expect(async () => {
    await expect(dots.first()).toBeVisible({ timeout: 20_000 });
    const kept = [...(await keptErrorTraceIds(demo.url))];
    const shown = await dots.evaluateAll((buttons) =>
      buttons.map((b) => ({ label: b.getAttribute('aria-label') ?? '', x: b.getBoundingClientRect().x })),
    );
    const failed = shown
      .map(({ label, x }) => {
        const prefix = DOT_TRACE_PREFIX.exec(label)?.[1];
        return { label, x, traceId: prefix ? kept.find((id) => id.startsWith(prefix)) : undefined };
      })
      .filter((dot) => dot.traceId !== undefined)
      .sort((a, b) => a.x - b.x);
    if (failed.length === 0) {
      // New exemplars come with the next collection; a reload asks for them.
      await page.reload();
      throw new Error(`none of ${shown.length} dots is a span of a kept failed trace yet`);
    }
    [traceId, dotLabel] = [failed[0].traceId!, failed[0].label];
  }).toPass({ timeout: 60_000, intervals: [2_000, 5_000] });

  // Dots of equal value overlap, so the mouse may not reach this one; the keyboard does, and
  // focus shows the same tooltip a hover does.
  const dot = chart.getByRole('button', { name: dotLabel, exact: true }).first();
  // The whole chart in the picture, then the tooltip placed for where it is on the page.
  await chart.evaluate((article) => article.scrollIntoView({ block: 'center' }));
  await dot.focus();
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText(traceId);
  await expect(tooltip).toContainText('Click to open the trace');
  await expect(tooltip).toBeInViewport({ ratio: 1 });
  await screenshot(page, 'path-exemplar.png');

  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/explore\?/);
  expect(new URL(page.url()).searchParams.get('traceId')).toBe(traceId);
  // The chart stays on the left, the trace opens in the pane beside it.
  await expect(page.getByRole('region', { name: 'Metrics pane' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Trace pane' })).toBeVisible();
  await expectFailedSpan(page, traceId);
});
