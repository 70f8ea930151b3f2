import Database from 'better-sqlite3';
import { PRODUCTS } from '../catalog';

/**
 * The inventory's SQLite database (a file in the demo's data folder): the schema, and on first
 * start the catalog plus a long sales history. `stock_movements` has no index on `created_at`
 * on purpose: the best-sellers query scans its 600,000 rows (about half a second), which is the
 * demo's slow SQL query.
 */

const HISTORY_ROWS = 600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  stock INTEGER NOT NULL CHECK (stock >= 0),
  limited INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS products_by_category ON products (category);
CREATE TABLE IF NOT EXISTS stock_movements (
  id INTEGER PRIMARY KEY,
  product_id TEXT NOT NULL,
  order_id TEXT,
  quantity INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
  order_id TEXT PRIMARY KEY,
  items TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search_terms (
  product_id TEXT NOT NULL,
  terms TEXT NOT NULL
);`;

/** Opens (and on first use creates and seeds) the database at `path`. */
export function openInventoryDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const { count } = db.prepare('SELECT count(*) AS count FROM products').get() as { count: number };
  if (count === 0) seed(db);
  return db;
}

function seed(db: Database.Database): void {
  const insertProduct = db.prepare(
    'INSERT INTO products (id, name, category, price_cents, stock, limited) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertMovement = db.prepare(
    'INSERT INTO stock_movements (product_id, order_id, quantity, reason, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  db.transaction(() => {
    for (const p of PRODUCTS) {
      insertProduct.run(p.id, p.name, p.category, p.priceCents, p.stock, p.limited ? 1 : 0);
    }
    // A year and a bit of sales, one movement every minute, spread over the catalogue.
    for (let i = 0; i < HISTORY_ROWS; i++) {
      const product = PRODUCTS[(i * 7919) % PRODUCTS.length];
      const restock = i % 10 === 0;
      insertMovement.run(
        product.id,
        restock ? null : `o-h${i}`,
        restock ? 50 : 1 + (i % 3),
        restock ? 'restock' : 'sale',
        now - (HISTORY_ROWS - i) * 60_000,
      );
    }
  })();
}
