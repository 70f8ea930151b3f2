import { CATEGORIES, CUSTOMERS, LIMITED_EDITIONS, PRODUCTS, ZONES } from '../catalog';
import { between, chance, pick, sleep } from '../random';

/**
 * The shop's users: requests to the frontend at `rate` per second on average (random, Poisson
 * arrivals), not traced themselves, so each request's trace starts at the frontend.
 *
 * | share | request |
 * | --- | --- |
 * | 30% | `GET /products?category=…` (a category page) |
 * | 18% | `GET /products/<id>` |
 * | 40% | `POST /checkout`: 1-4 lines; 2% of carts 25-40 lines; 8% hold a limited edition, which sells out |
 * | 12% | `GET /dispatch?order=<a recent order>` |
 * | 10 s after start, then every minute | `POST /admin/reindex` (1,200+ spans) |
 *
 * The failures come from the services themselves (declines, gateway incidents, stock, flaky
 * carriers): about 5% of requests.
 */

const MAX_IN_FLIGHT = 30;
const REINDEX_FIRST_MS = 10_000;
const REINDEX_EVERY_MS = 60_000;

export interface LoadStats {
  sent: number;
  /** Answers of 400 and above. */
  failed: number;
}

export interface Load {
  stats: LoadStats;
  /** Stops sending; resolves when the requests in flight are answered (at most 5 s). */
  stop(): Promise<void>;
}

function cart(): { customer: string; zone: string; items: { product_id: string; quantity: number }[] } {
  const lines = chance(0.02) ? between(25, 40) : between(1, 4);
  const ids = new Set<string>();
  if (chance(0.08)) ids.add(pick(LIMITED_EDITIONS).id);
  while (ids.size < lines) {
    const product = pick(PRODUCTS);
    if (!product.limited) ids.add(product.id);
  }
  return {
    customer: pick(CUSTOMERS),
    zone: pick(ZONES),
    items: [...ids].map((id) => ({ product_id: id, quantity: between(1, 2) })),
  };
}

export function startLoad(frontendUrl: string, rate: number): Load {
  const stats: LoadStats = { sent: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const recentOrders: string[] = [];
  let stopped = false;

  const send = (method: 'GET' | 'POST', path: string, body?: unknown, onAnswer?: (json: unknown) => void) => {
    if (inFlight.size >= MAX_IN_FLIGHT) return;
    stats.sent++;
    const request = (async () => {
      try {
        const res = await fetch(`${frontendUrl}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const json = await res.json().catch(() => undefined);
        if (res.status >= 400) stats.failed++;
        else onAnswer?.(json);
      } catch {
        // no answer at all (a service down, or 30 s passed): the launcher notices a child's exit
      }
    })();
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  const oneRequest = () => {
    const r = Math.random();
    if (r < 0.3) return send('GET', `/products?category=${pick(CATEGORIES)}`);
    if (r < 0.48) return send('GET', `/products/${pick(PRODUCTS).id}`);
    if (r < 0.88 || recentOrders.length === 0) {
      return send('POST', '/checkout', cart(), (json) => {
        const id = (json as { order_id?: string })?.order_id;
        if (!id) return;
        recentOrders.push(id);
        if (recentOrders.length > 50) recentOrders.shift();
      });
    }
    return send('GET', `/dispatch?order=${pick(recentOrders)}`);
  };

  let timer: NodeJS.Timeout;
  const scheduleNext = () => {
    // Exponential gaps: arrivals bunch up and thin out as real ones do.
    const gapMs = (-Math.log(1 - Math.random()) / rate) * 1000;
    timer = setTimeout(() => {
      if (stopped) return;
      oneRequest();
      scheduleNext();
    }, gapMs);
  };
  scheduleNext();
  const reindex = () => send('POST', '/admin/reindex');
  let reindexTimer = setTimeout(function again() {
    reindex();
    reindexTimer = setTimeout(again, REINDEX_EVERY_MS);
  }, REINDEX_FIRST_MS);

  return {
    stats,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(reindexTimer);
      await Promise.race([Promise.allSettled([...inFlight]), sleep(5_000)]);
    },
  };
}
