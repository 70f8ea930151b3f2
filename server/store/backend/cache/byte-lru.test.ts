import { ByteLru, ENTRY_OVERHEAD_BYTES } from './byte-lru';

/** Entries of `n` value bytes each cost this much against the bound. */
const cost = (key: string, n: number) => n + ENTRY_OVERHEAD_BYTES + key.length;

function lru(maxBytes: number, evicted: string[] = []) {
  return new ByteLru<Buffer>({
    maxBytes,
    sizeOf: (b) => b.length,
    onEvict: (key) => evicted.push(key),
  });
}

/** A load the test resolves or rejects when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ByteLru', () => {
  it('holds values up to its byte bound, evicting the least recently used first', () => {
    const evicted: string[] = [];
    const cache = lru(3 * cost('a', 100), evicted);
    cache.set('a', Buffer.alloc(100));
    cache.set('b', Buffer.alloc(100));
    cache.set('c', Buffer.alloc(100));
    expect(cache.bytes).toBe(3 * cost('a', 100));

    expect(cache.get('a')).toBeDefined(); // a is now the most recent: b goes first
    cache.set('d', Buffer.alloc(100));
    expect(evicted).toEqual(['b']);
    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.has('d')]).toEqual([
      true,
      false,
      true,
      true,
    ]);

    // One big value pushes out as many as it needs, oldest first.
    cache.set('e', Buffer.alloc(150));
    expect(evicted).toEqual(['b', 'c', 'a']);
    expect(cache.bytes).toBeLessThanOrEqual(3 * cost('a', 100));
  });

  it('counts bytes, not entries, and refuses a value bigger than the whole bound', () => {
    const cache = lru(10_000);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, Buffer.alloc(1000));
    expect(cache.size).toBeLessThan(10);
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.set('huge', Buffer.alloc(20_000))).toBe(false);
    expect(cache.has('huge')).toBe(false);
    expect(cache.size).toBeGreaterThan(0); // refusing it evicted nothing

    const none = lru(0);
    expect(none.set('a', Buffer.alloc(1))).toBe(false);
    expect(none.bytes).toBe(0);
  });

  it('replaces a value in place of the old one, counting only the new', () => {
    const cache = lru(100_000);
    cache.set('a', Buffer.alloc(500));
    cache.set('a', Buffer.alloc(200));
    expect(cache.bytes).toBe(cost('a', 200));
    expect(cache.size).toBe(1);
  });

  it('shares one load among concurrent misses of a key, then answers from memory', async () => {
    const cache = lru(100_000);
    let loads = 0;
    const pending = deferred<Buffer>();
    const load = () => {
      loads++;
      return pending.promise;
    };
    const waiters = [cache.getOrLoad('k', load), cache.getOrLoad('k', load), cache.getOrLoad('k', load)];
    pending.resolve(Buffer.from('v'));
    const values = await Promise.all(waiters);
    expect(loads).toBe(1);
    expect(values.every((v) => v === values[0])).toBe(true);
    expect(await cache.getOrLoad('k', load)).toBe(values[0]);
    expect(loads).toBe(1);
  });

  it('does not cache a failed load: every waiter gets the error, the next call loads again', async () => {
    const cache = lru(100_000);
    const failing = deferred<Buffer>();
    const first = cache.getOrLoad('k', () => failing.promise);
    const second = cache.getOrLoad('k', () => Promise.resolve(Buffer.from('never used')));
    failing.reject(new Error('transient'));
    await expect(first).rejects.toThrow('transient');
    await expect(second).rejects.toThrow('transient');
    expect(cache.has('k')).toBe(false);

    expect((await cache.getOrLoad('k', async () => Buffer.from('ok')))?.toString()).toBe('ok');
    expect(cache.has('k')).toBe(true);
  });

  it('a load that throws before returning a promise fails its callers the same way', async () => {
    const cache = lru(100_000);
    const load = (): Promise<Buffer> => {
      throw new Error('sync');
    };
    await expect(cache.getOrLoad('k', load)).rejects.toThrow('sync');
    expect(cache.has('k')).toBe(false);
  });

  it('keeps nothing for an undefined load (a missing object), nor what `keep` declines', async () => {
    const cache = lru(100_000);
    expect(await cache.getOrLoad('missing', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(
      (
        await cache.getOrLoad(
          'shared only',
          async () => Buffer.from('x'),
          () => false,
        )
      )?.toString(),
    ).toBe('x');
    expect(cache.size).toBe(0);
  });

  it('drops a load that a deletion overlapped, and does not hand its bytes to later callers', async () => {
    const cache = lru(100_000);
    const stale = deferred<Buffer>();
    const before = cache.getOrLoad('t/b/index', () => stale.promise);
    expect(cache.deleteWhere((key) => key.startsWith('t/b/'))).toBe(0);
    // A call after the deletion starts its own load rather than sharing the stale one.
    const after = cache.getOrLoad('t/b/index', async () => Buffer.from('fresh'));
    stale.resolve(Buffer.from('stale'));
    expect((await before)?.toString()).toBe('stale');
    expect((await after)?.toString()).toBe('fresh');
    expect(cache.get('t/b/index')?.toString()).toBe('fresh');
  });

  it('deletes one key, or every key matching', () => {
    const cache = lru(100_000);
    for (const key of ['t/a/index', 't/a/bloom-0', 't/b/index']) cache.set(key, Buffer.alloc(10));
    expect(cache.delete('t/b/index')).toBe(true);
    expect(cache.delete('t/b/index')).toBe(false);
    expect(cache.deleteWhere((key) => key.startsWith('t/a/'))).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
