/**
 * Bookkeeping per entry beyond its value: the Map slot, the entry object and the key string.
 * An estimate, so that many tiny values (a 14-byte Parquet offset index) still count.
 */
export const ENTRY_OVERHEAD_BYTES = 96;

export interface ByteLruOptions<V> {
  /** Bytes of values (plus per-entry overhead) kept at most; 0 keeps nothing. */
  maxBytes: number;
  /** The bytes one value holds. */
  sizeOf: (value: V) => number;
  /** Told of every entry pushed out by the bound (not of deletions). */
  onEvict?: (key: string, value: V) => void;
}

interface Entry<V> {
  value: V;
  bytes: number;
}

/**
 * A least-recently-used map bounded by the bytes of its values rather than their number: index
 * pages and bloom shards differ in size by orders of magnitude, and memory is what runs out.
 * `getOrLoad` makes concurrent misses of one key share a single load, keeps nothing from a
 * failed one, and drops a load that overlapped a `delete` of its key (its bytes may be gone).
 */
export class ByteLru<V> {
  // A Map iterates in insertion order: re-inserting on every hit keeps the oldest use first.
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V | undefined>>();
  private total = 0;

  constructor(private readonly options: ByteLruOptions<V>) {
    if (!(options.maxBytes >= 0)) throw new RangeError('maxBytes must not be negative');
  }

  /** Bytes held, overhead included. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value, now the most recently used; undefined on a miss. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value, evicting the least recently used past the bound; false when it alone is too big. */
  set(key: string, value: V): boolean {
    const bytes = this.options.sizeOf(value) + ENTRY_OVERHEAD_BYTES + key.length;
    this.remove(key);
    if (bytes > this.options.maxBytes) return false;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
      this.options.onEvict?.(oldest, entry.value);
    }
    return true;
  }

  /**
   * The cached value, or the result of `load` (undefined: nothing to cache, such as a missing
   * object). Concurrent calls for one key share one load. `keep` decides whether a loaded value
   * is stored (a value worth sharing need not be worth memory).
   */
  getOrLoad(
    key: string,
    load: () => Promise<V | undefined>,
    keep: (value: V) => boolean = () => true,
  ): Promise<V | undefined> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loading = Promise.resolve()
      .then(load)
      .then(
        (value) => {
          // A deletion meanwhile took the load out of `loading`: what it read may be gone, so it is not kept.
          const current = this.loading.get(key) === loading;
          if (current) this.loading.delete(key);
          if (current && value !== undefined && keep(value)) this.set(key, value);
          return value;
        },
        (err: unknown) => {
          if (this.loading.get(key) === loading) this.loading.delete(key);
          throw err;
        },
      );
    this.loading.set(key, loading);
    return loading;
  }

  /** Drops one entry, and forgets its load under way (see `deleteWhere`). */
  delete(key: string): boolean {
    this.loading.delete(key);
    return this.remove(key);
  }

  /**
   * Drops every entry whose key matches, and forgets matching loads under way so that a later
   * call starts afresh instead of sharing bytes read before the deletion. Returns how many went.
   */
  deleteWhere(matches: (key: string) => boolean): number {
    let removed = 0;
    for (const key of [...this.entries.keys()]) {
      if (matches(key) && this.remove(key)) removed++;
    }
    for (const key of [...this.loading.keys()]) {
      if (matches(key)) this.loading.delete(key);
    }
    return removed;
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.bytes;
    return true;
  }
}
