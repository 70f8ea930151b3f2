/**
 * The shop's products and customers: generated from a fixed seed, so the inventory database the
 * inventory service seeds and the product IDs the load picks are the same lists.
 */

export const CATEGORIES = ['books', 'games', 'kitchen', 'garden', 'audio', 'outdoor'] as const;

export interface Product {
  id: string;
  name: string;
  category: (typeof CATEGORIES)[number];
  priceCents: number;
  /** Units in stock when the database is seeded. */
  stock: number;
  /** Limited editions start (and are restocked) with a handful of units, so they sell out. */
  limited: boolean;
}

/** Stock of a limited edition after each restock. */
export const LIMITED_EDITION_STOCK = 2;

const PRODUCT_COUNT = 600;
const CUSTOMER_COUNT = 240;

const ADJECTIVES = ['Compact', 'Deluxe', 'Classic', 'Folding', 'Wireless', 'Vintage', 'Solar', 'Pocket'];
const NOUNS: Record<Product['category'], string[]> = {
  books: ['Atlas', 'Cookbook', 'Field Guide', 'Novel', 'Sketchbook'],
  games: ['Board Game', 'Puzzle', 'Card Deck', 'Dice Set', 'Chess Set'],
  kitchen: ['Kettle', 'Knife', 'Grinder', 'Skillet', 'Teapot'],
  garden: ['Trowel', 'Planter', 'Hose', 'Shears', 'Bird Feeder'],
  audio: ['Speaker', 'Headphones', 'Turntable', 'Radio', 'Microphone'],
  outdoor: ['Tent', 'Lantern', 'Backpack', 'Hammock', 'Stove'],
};

/** mulberry32: a tiny seeded PRNG, enough for stable fake data. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildProducts(): Product[] {
  const random = seededRandom(20_240_601);
  const products: Product[] = [];
  for (let i = 1; i <= PRODUCT_COUNT; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const nouns = NOUNS[category];
    const limited = i % 300 === 97;
    const name = `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${nouns[Math.floor(random() * nouns.length)]}`;
    products.push({
      id: `p-${String(i).padStart(4, '0')}`,
      name: limited ? `Limited Edition ${name}` : name,
      category,
      priceCents: 299 + Math.floor(random() * 250) * 100,
      stock: limited ? LIMITED_EDITION_STOCK : 200 + Math.floor(random() * 800),
      limited,
    });
  }
  return products;
}

export const PRODUCTS: readonly Product[] = buildProducts();

export const LIMITED_EDITIONS: readonly Product[] = PRODUCTS.filter((p) => p.limited);

/** `c-1001` … `c-1240`. */
export const CUSTOMERS: readonly string[] = Array.from({ length: CUSTOMER_COUNT }, (_, i) => `c-${1001 + i}`);

/** The carriers shipping quotes for; `postal` is the flaky one, `freight` the slow one. */
export const CARRIERS = ['dhl', 'ups', 'fedex', 'postal', 'freight', 'courier'] as const;

/** Delivery zones of the shop's customers. */
export const ZONES = ['eu-west', 'eu-north', 'us-east', 'us-west', 'apac'] as const;
