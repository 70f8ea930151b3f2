import { join } from 'node:path';
import { SpanKind, trace } from '@opentelemetry/api';
import { LIMITED_EDITION_STOCK } from '../catalog';
import { log } from '../telemetry/log';
import { TracedDatabase } from '../telemetry/traced-sqlite';
import { openInventoryDatabase } from './inventory-db';
import { HttpError, ok, startService } from './kit';

/**
 * inventory: products and stock in SQLite (better-sqlite3), every statement a client span.
 * - `GET /products?category=` / `?ids=a,b`, `GET /products/:id`: plain indexed reads.
 * - `GET /best-sellers`: cached for 30 s; the request that finds the cache expired runs the
 *   slow query (a scan of 600,000 stock movements).
 * - `POST /reservations`: takes stock for an order in one transaction; a line that cannot be
 *   served rolls it back: 409 `out_of_stock` (the limited editions sell out between restocks).
 * - `POST /reservations/:order/release`: gives it back when the payment failed.
 * - `POST /search-index/rebuild`: two statements per product, 1,200 spans in one trace.
 * - every minute, outside any request: a `restock` job, a trace of its own.
 */

interface ProductRow {
  id: string;
  name: string;
  category: string;
  price_cents: number;
  stock: number;
}

interface ReservationItem {
  product_id: string;
  quantity: number;
}

const BEST_SELLERS_TTL_MS = 30_000;
const RESTOCK_EVERY_MS = 60_000;

const tracer = trace.getTracer('inventory');
const db = new TracedDatabase(
  openInventoryDatabase(join(process.env.LOUPE_DEMO_DATA ?? '.', 'inventory.db')),
  'inventory',
);

let bestSellers: { rows: unknown[]; until: number } | undefined;

const PRODUCT_COLUMNS = 'id, name, category, price_cents, stock';

function reserve(orderId: string, items: ReservationItem[]): void {
  db.transaction('reserve stock', { 'order.id': orderId, 'app.order.lines': items.length }, () => {
    for (const item of items) {
      const taken = db.run(
        'UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?',
        item.quantity,
        item.product_id,
        item.quantity,
      );
      if (taken.changes === 0) {
        throw new HttpError(409, `out of stock: ${item.product_id}`, 'out_of_stock');
      }
      db.run(
        'INSERT INTO stock_movements (product_id, order_id, quantity, reason, created_at) VALUES (?, ?, ?, ?, ?)',
        item.product_id,
        orderId,
        -item.quantity,
        'reservation',
        Date.now(),
      );
    }
    db.run(
      'INSERT INTO reservations (order_id, items, created_at) VALUES (?, ?, ?)',
      orderId,
      JSON.stringify(items),
      Date.now(),
    );
  });
}

function release(orderId: string): number {
  return db.transaction('release stock', { 'order.id': orderId }, () => {
    const reservation = db.get<{ items: string }>(
      'SELECT items FROM reservations WHERE order_id = ?',
      orderId,
    );
    if (!reservation) throw new HttpError(404, `no reservation for ${orderId}`, 'not_found');
    const items = JSON.parse(reservation.items) as ReservationItem[];
    for (const item of items) {
      db.run('UPDATE products SET stock = stock + ? WHERE id = ?', item.quantity, item.product_id);
    }
    db.run('DELETE FROM reservations WHERE order_id = ?', orderId);
    return items.length;
  });
}

function rebuildSearchIndex(): number {
  const ids = db.all<{ id: string }>('SELECT id FROM products ORDER BY id');
  return db.transaction('rebuild search index', { 'app.reindex.products': ids.length }, () => {
    db.run('DELETE FROM search_terms');
    for (const { id } of ids) {
      const p = db.get<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`, id)!;
      const terms = `${p.name} ${p.category}`.toLowerCase().split(/\s+/).join(' ');
      db.run('INSERT INTO search_terms (product_id, terms) VALUES (?, ?)', id, terms);
    }
    return ids.length;
  });
}

function restock(): void {
  tracer.startActiveSpan('restock', { kind: SpanKind.INTERNAL, root: true }, (span) => {
    try {
      const limited = db.run(
        'UPDATE products SET stock = ? WHERE limited = 1 AND stock < ?',
        LIMITED_EDITION_STOCK,
        LIMITED_EDITION_STOCK,
      );
      const others = db.run('UPDATE products SET stock = stock + 200 WHERE limited = 0 AND stock < 20');
      span.setAttribute('app.restocked.products', limited.changes + others.changes);
      log.info('restocked', { limited_editions: limited.changes, products: others.changes });
    } finally {
      span.end();
    }
  });
}

const restockTimer = setInterval(restock, RESTOCK_EVERY_MS);

startService('inventory', {
  routes: [
    {
      method: 'GET',
      path: '/products',
      handle: async ({ query }) => {
        const ids = query.get('ids')?.split(',').filter(Boolean);
        if (ids && ids.length > 0) {
          const marks = ids.map(() => '?').join(', ');
          return ok(
            db.all<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id IN (${marks})`, ...ids),
          );
        }
        const category = query.get('category') ?? 'books';
        trace.getActiveSpan()?.setAttribute('app.category', category);
        return ok(
          db.all<ProductRow>(
            `SELECT ${PRODUCT_COLUMNS} FROM products WHERE category = ? ORDER BY name LIMIT 24`,
            category,
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/products/:id',
      handle: async ({ params }) => {
        trace.getActiveSpan()?.setAttribute('app.product.id', params.id);
        const product = db.get<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`, params.id);
        if (!product) throw new HttpError(404, `no product ${params.id}`, 'not_found');
        return ok(product);
      },
    },
    {
      method: 'GET',
      path: '/best-sellers',
      handle: async () => {
        const cached = bestSellers && bestSellers.until > Date.now();
        trace.getActiveSpan()?.setAttribute('app.cache.hit', Boolean(cached));
        if (!cached) {
          const rows = db.all(
            `SELECT m.product_id, p.name, SUM(m.quantity) AS sold
               FROM stock_movements m JOIN products p ON p.id = m.product_id
              WHERE m.created_at > ? AND m.reason = 'sale'
              GROUP BY m.product_id ORDER BY sold DESC LIMIT 5`,
            Date.now() - 90 * 86_400_000,
          );
          bestSellers = { rows, until: Date.now() + BEST_SELLERS_TTL_MS };
          log.info('best sellers recomputed', { rows: rows.length });
        }
        return ok(bestSellers!.rows);
      },
    },
    {
      method: 'POST',
      path: '/reservations',
      handle: async ({ body }) => {
        const { order_id, items } = body as { order_id: string; items: ReservationItem[] };
        trace.getActiveSpan()?.setAttributes({ 'order.id': order_id, 'app.order.lines': items.length });
        reserve(order_id, items);
        log.info('stock reserved', { 'order.id': order_id, lines: items.length });
        return ok({ order_id, reserved: items.length }, 201);
      },
    },
    {
      method: 'POST',
      path: '/reservations/:order/release',
      handle: async ({ params }) => {
        trace.getActiveSpan()?.setAttribute('order.id', params.order);
        const lines = release(params.order);
        log.info('stock released', { 'order.id': params.order, lines });
        return ok({ order_id: params.order, released: lines });
      },
    },
    {
      method: 'POST',
      path: '/search-index/rebuild',
      handle: async () => {
        const products = rebuildSearchIndex();
        log.info('search index rebuilt', { products });
        return ok({ products });
      },
    },
  ],
  onStop: () => {
    clearInterval(restockTimer);
    db.db.close();
  },
});
