import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { parseTraceId } from '../query/parse-trace-id';
import type { Overrides } from '../tenancy/overrides';
import { traceByIdProtobuf } from './routes/trace-by-id';
import type { TracePageLookups } from './trace-page-lookups';

/**
 * Traces up to this many spans are rendered ahead of the app. Beyond it, decoding and laying out
 * the trace on the server (about 1 s per 100,000 spans) would hold the page, and the app's code
 * with it, longer than the browser takes to do the same.
 */
const PRERENDER_MAX_SPANS = 20_000;
/** The page waits at most this long for the trace's lookup; after it, it is sent without the trace. */
const PRERENDER_DEADLINE_MS = 500;

/**
 * The markup for `#root` of a page, or null when the page is left to the app. The page's tenant
 * (`?tenant=`) is checked as the API would check it in `X-Scope-OrgID` (`request.tenantFor`):
 * with `auth:`, a page never shows another tenant's trace than its credentials'.
 */
export type TracePagePrerenderer = (
  pathname: string,
  search: string,
  request: Pick<FastifyRequest, 'tenantFor'>,
) => Promise<string | null>;

export interface TracePageOptions {
  lookups: TracePageLookups;
  overrides: Overrides;
  log: FastifyBaseLogger;
}

type PrerenderModule = typeof import('../../web/src/prerender/prerender-trace');

/**
 * Renders `/trace/<id>` pages with the trace's first rows already in them, using the web app's
 * own components (see web/src/prerender). The app's own request for the trace, right after, gets
 * the same answer without a second search (`TracePageLookups`), so it shows what the page showed.
 * Anything unexpected leaves the page to the app.
 */
export function tracePagePrerenderer(opts: TracePageOptions): TracePagePrerenderer {
  // Loaded now, in the background: React's server renderer and the components take a moment.
  const rendering: Promise<PrerenderModule | null> = import('../../web/src/prerender/prerender-trace').catch(
    (err: unknown) => {
      opts.log.warn({ err }, 'trace pages will not be rendered ahead of the app');
      return null;
    },
  );

  const prerender = async (
    module: PrerenderModule,
    pathname: string,
    search: string,
    request: Pick<FastifyRequest, 'tenantFor'>,
  ) => {
    const target = module.prerenderableTraceId({ pathname, search });
    if (!target) return null;
    let tenantId: string;
    let lookup: ReturnType<typeof parseTraceId>;
    try {
      tenantId = request.tenantFor(target.tenant || undefined);
      lookup = parseTraceId(target.id);
    } catch {
      return null; // the app shows the error when it asks
    }
    const found = await opts.lookups.findTraceForPage(tenantId, lookup.traceId, lookup.key);
    if (!found || found.spanCount > PRERENDER_MAX_SPANS) return null;
    // If the app's own request joined this lookup, let it answer first: the rendering below holds
    // the event loop for a while (tens of ms for 10,000 spans).
    await new Promise((resolve) => setImmediate(resolve));
    return module.prerenderTracePage(
      { pathname, search },
      traceByIdProtobuf(found, opts.overrides.forTenant(tenantId).maxBytesPerTrace),
    );
  };

  return async (pathname, search, request) => {
    // Loaded at start; only a page asked for in the first moments waits for it.
    const module = await rendering;
    if (!module) return null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, PRERENDER_DEADLINE_MS, null);
    });
    try {
      return await Promise.race([prerender(module, pathname, search, request), deadline]);
    } catch (err) {
      opts.log.warn({ err, pathname }, 'could not render the trace page ahead of the app');
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}
