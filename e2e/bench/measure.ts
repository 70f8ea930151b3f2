import type { Page } from '@playwright/test';

/** Installed before any page script: records when the first span row appears and every long task. */
export const INSTRUMENT = () => {
  const bench = {
    rowsInsertedAt: -1,
    rowsVisibleAt: -1,
    appRowsVisibleAt: -1,
    longTasks: [] as { start: number; duration: number }[],
  };
  (window as unknown as { __bench: typeof bench }).__bench = bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // The frame that paints a change: the next animation frame, then the task after it.
  const afterPaint = (done: (at: number) => void) =>
    requestAnimationFrame(() => setTimeout(() => done(performance.now())));
  // Rows come either with the page (rendered by the server, inert until the app takes over) or
  // from the app; the observer watches the document from its first node, so it sees both.
  const observer = new MutationObserver(() => {
    if (bench.rowsInsertedAt < 0 && document.querySelector('[role="treeitem"]')) {
      bench.rowsInsertedAt = performance.now();
      afterPaint((at) => {
        bench.rowsVisibleAt = at;
        console.log('loupe-bench:rows-visible');
      });
    }
    if (document.querySelector('#root:not([data-prerendered]) [role="treeitem"]')) {
      observer.disconnect();
      afterPaint((at) => {
        bench.appRowsVisibleAt = at;
        console.log('loupe-bench:app-rows-visible');
      });
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributeFilter: ['data-prerendered'] });
};

export interface LoadFigures {
  /** Milliseconds from navigation start: first span rows painted (rendered by the server, or by the app). */
  rowsVisible: number;
  /** The app's own rows painted: the waterfall is interactive. */
  appRowsVisible: number;
  /** First contentful paint. */
  firstPaint: number;
  apiStart: number;
  apiFirstByte: number;
  apiDone: number;
  apiBytes: number;
  /** When the page handed the bytes to the trace worker, and when the layout came back. */
  handedOver: number;
  layoutReady: number;
  /** The worker's own time: decoding, building the tree, laying it out. */
  worker: { decode: number; tree: number; layout: number };
  longestLoadTask: number;
}

/** Opens `/trace/<id>` and measures until the first rows are on screen. */
export async function measureLoad(page: Page, traceId: string): Promise<LoadFigures> {
  await page.addInitScript(INSTRUMENT);
  // Waiting on console messages, not `waitForFunction`: polling would inject Playwright's helper
  // script into the page while it loads, and its evaluation would be counted as the app's time.
  const shown = (what: string) =>
    page.waitForEvent('console', { predicate: (m) => m.text() === `loupe-bench:${what}`, timeout: 120_000 });
  const rowsShown = shown('rows-visible');
  const appRowsShown = shown('app-rows-visible');
  await page.goto(`/trace/${traceId}`, { waitUntil: 'commit' });
  await Promise.all([rowsShown, appRowsShown]);
  return page.evaluate(() => {
    const bench = (
      window as unknown as {
        __bench: { rowsVisibleAt: number; appRowsVisibleAt: number; longTasks: { duration: number }[] };
      }
    ).__bench;
    const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v2/traces/')) as
      | PerformanceResourceTiming
      | undefined;
    const firstPaint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
    const mark = (name: string) =>
      performance.getEntriesByName(name, 'mark')[0] as PerformanceMark | undefined;
    return {
      handedOver: mark('loupe:trace-response')?.startTime ?? -1,
      layoutReady: mark('loupe:trace-layout')?.startTime ?? -1,
      worker: mark('loupe:trace-layout')?.detail ?? { decode: -1, tree: -1, layout: -1 },
      // Rows that came with the page are on screen no sooner than the first contentful paint,
      // which is when that frame was presented (an animation frame can run before it is).
      rowsVisible: Math.max(bench.rowsVisibleAt, firstPaint),
      appRowsVisible: bench.appRowsVisibleAt,
      firstPaint,
      apiStart: api ? api.startTime : -1,
      apiFirstByte: api ? api.responseStart : -1,
      apiDone: api ? api.responseEnd : -1,
      apiBytes: api ? api.encodedBodySize : -1,
      longestLoadTask: Math.max(0, ...bench.longTasks.map((t) => t.duration)),
    };
  });
}

export interface ScrollFigures {
  longestTask: number;
  longTasks: number;
  slowestJump: number;
  lastRowShown: boolean;
}

/** Scrolls the waterfall from top to bottom in `jumps` jumps, waiting for each to render. */
export async function measureScroll(
  page: Page,
  jumps: number,
  expectedLastRow: string,
): Promise<ScrollFigures> {
  await page.waitForTimeout(1000);
  await page.evaluate(() => {
    (window as unknown as { __bench: { longTasks: unknown[] } }).__bench.longTasks.length = 0;
  });
  let slowestJump = 0;
  for (let k = 1; k <= jumps; k++) {
    const took = await page.evaluate(async (fraction) => {
      const tree = document.querySelector<HTMLElement>('[role="tree"]')!;
      const started = performance.now();
      tree.scrollTop = (tree.scrollHeight - tree.clientHeight) * fraction;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return performance.now() - started;
    }, k / jumps);
    slowestJump = Math.max(slowestJump, took);
    await page.waitForTimeout(150);
  }
  return page
    .evaluate((lastRow) => {
      const tasks = (window as unknown as { __bench: { longTasks: { duration: number }[] } }).__bench
        .longTasks;
      return {
        longestTask: Math.max(0, ...tasks.map((t) => t.duration)),
        longTasks: tasks.length,
        slowestJump: 0,
        lastRowShown: document.getElementById(lastRow) !== null,
      };
    }, expectedLastRow)
    .then((figures) => ({ ...figures, slowestJump }));
}
