import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracePageLookups } from '../http/trace-page-lookups';
import { TraceFinder } from '../query/find-trace';
import { parseTraceId } from '../query/parse-trace-id';
import { ingesterSource } from '../query/unflushed-source';
import { postTraces } from './support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * `/trace/<id>` pages come with the trace's first rows rendered by the server, so they show
 * before the app has loaded; anything the server cannot render leaves the page as built.
 */

// index.html as the build writes it, reduced to what the server looks at: the markers around #root.
const SHELL = `<!doctype html><html><head><script type="module" async src="/assets/index-x.js"></script></head>
<body><!--loupe:root--><div id="root"><div class="app boot-skeleton">skeleton</div></div><!--/loupe:root--></body></html>`;

const multi = { dist: '', server: undefined as TestLoupe | undefined };
let server: TestLoupe;
let dist: string;
let traceId: string;
const t0 = Date.now() - 60_000;

async function pushCheckout(target: TestLoupe, tenant?: string): Promise<string> {
  const id = newTraceId();
  const root = simpleSpan(id, 'GET /checkout', t0, { durationMs: 120, kind: 2 });
  const charge = simpleSpan(id, 'PaymentService/Charge', t0 + 35, {
    durationMs: 45,
    parentSpanId: root.spanId,
    statusCode: 2,
    statusMessage: 'card declined',
  });
  const push = await postTraces(
    target.otlp,
    encodeTraceRequest([
      { service: 'frontend', spans: [root] },
      { service: 'payment', spans: [charge] },
    ]),
    { tenant },
  );
  expect(push.status).toBe(200);
  return hex(id);
}

function page(target: TestLoupe, pathAndQuery: string, headers: Record<string, string> = {}) {
  return fetch(`${target.api}${pathAndQuery}`, { headers: { accept: 'text/html', ...headers } });
}

beforeAll(async () => {
  dist = mkdtempSync(path.join(tmpdir(), 'loupe-dist-'));
  writeFileSync(path.join(dist, 'index.html'), SHELL);
  server = await startTestLoupe({}, undefined, { webDistDir: dist });
  traceId = await pushCheckout(server);
});

afterAll(async () => {
  await server?.loupe.stop();
  await multi.server?.loupe.stop();
  if (server) removeDir(server.dataDir);
  if (multi.server) removeDir(multi.server.dataDir);
  removeDir(dist);
});

describe('a trace page', () => {
  it('comes with the header and the span rows, inert until the app takes over', async () => {
    const response = await page(server, `/trace/${traceId.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toContain('<div id="root" data-prerendered="" inert="">');
    expect(html).not.toContain('skeleton');
    expect(html).toMatch(/<h1 class="trace-title">.*frontend.*: GET \/checkout<\/h1>/);
    const rows = [
      ...html.matchAll(/<div id="span-row-\d+" role="treeitem" aria-label="([^"]*)"[^>]*class="([^"]*)"/g),
    ];
    expect(rows.map((row) => row[1])).toEqual([
      'frontend GET /checkout, 120ms, a descendant failed, 1 children',
      'payment PaymentService/Charge, 45ms, error',
    ]);
    expect(rows[1][2]).toContain('is-error');
    // The rest of the page is as built.
    expect(html.startsWith('<!doctype html><html><head><script type="module" async')).toBe(true);
    expect(html.endsWith('</body></html>')).toBe(true);
  });

  it('is left to the app when the trace is unknown', async () => {
    const html = await (await page(server, `/trace/${hex(newTraceId())}`)).text();
    expect(html).toBe(SHELL);
  });

  it('is left to the app when it needs the browser: a selected span, a filter', async () => {
    for (const query of ['?span=0102030405060708', '?errors=1', '?ds=file']) {
      const response = await page(server, `/trace/${traceId}${query}`);
      expect(response.status, query).toBe(200);
      expect(await response.text(), query).toBe(SHELL);
    }
  });

  it('is left to the app for IDs it could not look up, and the server stays up', async () => {
    for (const url of [
      '/trace/not-hex',
      `/trace/${'a'.repeat(40)}`,
      '/trace/..%2F..%2Fetc%2Fpasswd',
      '/trace/%2e%2e',
    ]) {
      const response = await page(server, url);
      expect(response.status, url).toBe(200);
      expect(await response.text(), url).toBe(SHELL);
    }
    expect((await fetch(`${server.api}/ready`)).status).toBe(200);
  });

  it("with multi-tenancy, is rendered for the URL's tenant only", async () => {
    multi.server = await startTestLoupe({ multitenancyEnabled: true }, undefined, { webDistDir: dist });
    const id = await pushCheckout(multi.server, 'team-a');
    expect(await (await page(multi.server, `/trace/${id}?tenant=team-a`)).text()).toContain(
      'data-prerendered',
    );
    for (const query of ['?tenant=team-b', '', '?tenant=bad%7Ctenant']) {
      expect(await (await page(multi.server, `/trace/${id}${query}`)).text(), query).toBe(SHELL);
    }
  });
});

/** Trace lookups as the API app makes them: the finder behind the page hand-off. */
function newLookups(config: TestLoupe['config'], loupe: TestLoupe['loupe']): TracePageLookups {
  return new TracePageLookups(
    new TraceFinder({
      unflushed: ingesterSource(loupe.ingester),
      blocks: loupe.blocklist,
      maxBytesPerTrace: () => config.overrides.maxBytesPerTrace,
      metrics: loupe.metrics,
    }),
  );
}

describe('trace lookups', () => {
  it('asked for at once, are searched once and answered alike', async () => {
    // The page and the app ask for the same trace at the same time; so do dashboards.
    const { loupe, config } = server;
    const finder = newLookups(config, loupe);
    const lookups = async () =>
      (await loupe.metrics.traceLookupSeconds.get()).values.find(
        (v) => v.metricName?.endsWith('_count') && v.labels.outcome === 'found',
      )?.value ?? 0;
    const before = await lookups();
    const { traceId: id, key } = parseTraceId(traceId);
    const [first, second] = await Promise.all([
      finder.findTraceById('single-tenant', id, key),
      finder.findTraceById('single-tenant', id, key),
    ]);
    expect(first?.spanCount).toBe(2);
    expect(second).toBe(first);
    expect((await lookups()) - before).toBe(1);
    // Once answered, the next lookup searches again (nothing is cached).
    await finder.findTraceById('single-tenant', id, key);
    expect((await lookups()) - before).toBe(2);
  });

  it("for a page, answer the app's request that follows, once", async () => {
    const { loupe, config } = server;
    const finder = newLookups(config, loupe);
    const { traceId: id, key } = parseTraceId(traceId);
    const forPage = await finder.findTraceForPage('single-tenant', id, key);
    expect(forPage?.spanCount).toBe(2);
    // Spans arriving in between: the app still gets what the page was rendered from.
    const late = simpleSpan(id, 'late span', t0 + 200);
    await postTraces(server.otlp, encodeTraceRequest([{ service: 'frontend', spans: [late] }]));
    expect(await finder.findTraceById('single-tenant', id, key)).toBe(forPage);
    // Any later request searches again, and sees the late span.
    expect((await finder.findTraceById('single-tenant', id, key))?.spanCount).toBe(3);
  });

  it('for a page, always search afresh (pages reloaded without the app do not pass one answer on)', async () => {
    const { loupe, config } = server;
    const finder = newLookups(config, loupe);
    const { traceId: id, key } = parseTraceId(traceId);
    const first = await finder.findTraceForPage('single-tenant', id, key);
    const later = simpleSpan(id, 'later span', t0 + 300);
    await postTraces(server.otlp, encodeTraceRequest([{ service: 'frontend', spans: [later] }]));
    const second = await finder.findTraceForPage('single-tenant', id, key);
    expect(second?.spanCount).toBe((first?.spanCount ?? 0) + 1);
  });
});
