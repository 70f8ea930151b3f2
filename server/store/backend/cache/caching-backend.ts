import type { Counter, Gauge } from 'prom-client';
import { SIDECAR_OBJECT } from '../../search/search-layout';
import type { Backend, BackendCallOptions } from '../backend';
import { checkRange, keySegments } from '../backend-keys';
import { ByteLru } from './byte-lru';
import {
  blockObjectName,
  type CacheKind,
  type CachePolicy,
  matchesDeletion,
  mayHoldCached,
  rangeCacheKey,
  rangePolicy,
  readPolicy,
} from './cacheable';
import type { ByteRange, DiskCache } from './disk-cache';

/** The self-metrics the block cache feeds (`SelfMetrics` has them). */
export interface CacheMetrics {
  cacheRequests: Counter<'kind' | 'tier' | 'outcome'>;
  cacheBytes: Gauge<'tier'>;
  cacheEvictions: Counter<'tier'>;
}

export interface CachingBackendOptions {
  /** Bytes the memory tier holds at most (0: no memory tier). */
  maxMemoryBytes: number;
  /** The local-disk tier, when configured. */
  disk?: DiskCache;
  metrics?: CacheMetrics;
}

/**
 * Serves the reads of small immutable block objects (`cacheable.ts`: page index, bloom shards,
 * meta.json, the search summary, the sidecar's Parquet footer and indexes) from memory, then
 * local disk, then the backend below; everything else passes through. It sits above the pool
 * and the metered layer, so a hit neither waits for a worker nor counts as a backend request.
 *
 * Concurrent misses of one object share one read of the backend. That read runs without the
 * callers' abort signals (each caller stops waiting on its own signal), so one cancelled query
 * cannot fail the others waiting on the same bytes; failed reads are not cached. Returned buffers
 * are shared with the cache and must not be modified.
 */
/** What the memory tier holds: the bytes, and the policy they were kept under (for its `kind`). */
interface Held {
  bytes: Buffer;
  policy: CachePolicy;
}

export class CachingBackend implements Backend {
  private readonly memory: ByteLru<Held>;
  private readonly disk: DiskCache | undefined;
  private readonly metrics: CacheMetrics | undefined;
  /**
   * Memory hits not yet added to `cacheRequests`: prom-client's `inc` (hashing and checking its
   * labels) costs several times the hit it counts, so hits are summed here and added when the
   * counter is read (its `collect`, run by every scrape) — exact whenever anyone looks.
   */
  private readonly memoryHits = new Map<CacheKind, number>();

  constructor(
    private readonly inner: Backend,
    options: CachingBackendOptions,
  ) {
    this.disk = options.disk;
    this.metrics = options.metrics;
    this.memory = new ByteLru<Held>({
      maxBytes: options.maxMemoryBytes,
      sizeOf: (held) => held.bytes.byteLength,
      onEvict: () => this.metrics?.cacheEvictions.inc({ tier: 'memory' }),
    });
    this.metrics?.cacheBytes.set({ tier: 'memory' }, 0);
    // One CachingBackend per SelfMetrics (per process); a second one would take the hook over.
    if (this.metrics) (this.metrics.cacheRequests as Collectable).collect = () => this.addMemoryHits();
  }

  /** Bytes held by the memory tier (values and per-entry overhead). */
  get memoryBytes(): number {
    return this.memory.bytes;
  }

  /** Resolves once the disk tier's background writes are done. */
  async settled(): Promise<void> {
    await this.disk?.settled();
  }

  read(key: string, options: BackendCallOptions = {}): Promise<Buffer | undefined> {
    // The hit every warm lookup makes twice per candidate block, kept to one Map lookup: only
    // cacheable keys are ever stored, so a hit needs no classifying, nor extra promise hops.
    const hit = options.signal?.aborted ? undefined : this.memory.get(key);
    if (hit) {
      if (this.metrics) this.memoryHits.set(hit.policy.kind, (this.memoryHits.get(hit.policy.kind) ?? 0) + 1);
      return Promise.resolve(hit.bytes);
    }
    const policy = readPolicy(key);
    if (!policy) return this.inner.read(key, options);
    return this.cached(key, policy, undefined, options, () => this.inner.read(key));
  }

  async readRange(
    key: string,
    offset: number,
    length: number,
    options: BackendCallOptions = {},
  ): Promise<Buffer> {
    checkRange(key, offset, length);
    const policy = rangePolicy(key, length);
    if (!policy) return this.inner.readRange(key, offset, length, options);
    const bytes = await this.cached(
      rangeCacheKey(key, offset, length),
      policy,
      { offset, length },
      options,
      () => this.inner.readRange(key, offset, length),
    );
    // A range read of an object is never undefined: the backend throws for a missing one.
    return bytes as Buffer;
  }

  /** Writes through; whatever was cached for the key is dropped first (a rewrite is new bytes). */
  async write(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options?: BackendCallOptions,
  ): Promise<void> {
    await this.evict(key);
    await this.inner.write(key, data, options);
  }

  /** Creates through (leases and the like); nothing it writes is cached. */
  async writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options?: BackendCallOptions,
  ): Promise<boolean> {
    await this.evict(key);
    return this.inner.writeIfAbsent(key, data, options);
  }

  list(prefix: string, options?: BackendCallOptions): Promise<string[]> {
    return this.inner.list(prefix, options);
  }

  /** Deletes below, then drops what is cached for the key or prefix. */
  async delete(keyOrPrefix: string, options?: BackendCallOptions): Promise<void> {
    try {
      await this.inner.delete(keyOrPrefix, options);
    } finally {
      // After the deletion (even a failed one: part of a prefix may be gone): a read that started
      // before it and is still under way is dropped by the tiers instead of being kept.
      await this.evict(keyOrPrefix);
    }
  }

  /**
   * Puts the bytes of an object just written by this process into the memory tier, so the first
   * lookups of a freshly flushed or compacted block cost no reads. Only for what `read` caches in memory.
   */
  warm(key: string, data: Uint8Array): void {
    keySegments(key); // reads leave key checks to the backend below; this bypasses it
    const policy = readPolicy(key);
    if (policy?.memory) this.remember(key, { bytes: toOwnedBuffer(data), policy });
  }

  private async evict(keyOrPrefix: string): Promise<void> {
    if (!mayHoldCached(keyOrPrefix)) return;
    if (keyOrPrefix.endsWith('/') || blockObjectName(keyOrPrefix) === SIDECAR_OBJECT) {
      // A prefix, or an object cached by ranges: every entry is looked at (deletions are rare).
      this.memory.deleteWhere((cacheKey) => matchesDeletion(cacheKey, keyOrPrefix));
    } else {
      this.memory.delete(keyOrPrefix);
    }
    this.metrics?.cacheBytes.set({ tier: 'memory' }, this.memory.bytes);
    await this.disk?.delete(keyOrPrefix);
  }

  private async cached(
    cacheKey: string,
    policy: CachePolicy,
    range: ByteRange | undefined,
    options: BackendCallOptions,
    readInner: () => Promise<Buffer | undefined>,
  ): Promise<Buffer | undefined> {
    options.signal?.throwIfAborted();
    if (policy.memory) {
      const hit = this.memory.get(cacheKey);
      this.count(policy, 'memory', hit ? 'hit' : 'miss');
      if (hit) return hit.bytes;
    }
    const objectKey = range ? cacheKey.slice(0, cacheKey.indexOf('\u0000')) : cacheKey;
    const load = async (): Promise<Held | undefined> => {
      const fromDisk = await this.disk?.get(objectKey, range);
      if (fromDisk) {
        this.count(policy, 'disk', 'hit');
        return { bytes: policy.memory ? toOwnedBuffer(fromDisk) : fromDisk, policy };
      }
      const bytes = await readInner();
      if (!bytes) return undefined;
      // A Parquet read that turns out to be a column chunk, not the footer: neither counted nor kept.
      if (policy.keep && !policy.keep(bytes)) return { bytes, policy: UNKEPT };
      if (this.disk) {
        this.count(policy, 'disk', 'miss');
        void this.disk.put(objectKey, range, bytes);
      }
      return { bytes: policy.memory ? toOwnedBuffer(bytes) : bytes, policy };
    };
    // Shared by concurrent misses whatever the policy; kept in memory only where it says so.
    const shared = this.memory.getOrLoad(cacheKey, load, (held) => held.policy.memory);
    const held = await raceSignal(shared, options.signal);
    if (policy.memory) this.metrics?.cacheBytes.set({ tier: 'memory' }, this.memory.bytes);
    return held?.bytes;
  }

  private remember(cacheKey: string, held: Held): void {
    this.memory.set(cacheKey, held);
    this.metrics?.cacheBytes.set({ tier: 'memory' }, this.memory.bytes);
  }

  private count(policy: CachePolicy, tier: 'memory' | 'disk', outcome: 'hit' | 'miss'): void {
    this.metrics?.cacheRequests.inc({ kind: policy.kind, tier, outcome });
  }

  private addMemoryHits(): void {
    for (const [kind, hits] of this.memoryHits) {
      this.metrics?.cacheRequests.inc({ kind, tier: 'memory', outcome: 'hit' }, hits);
    }
    this.memoryHits.clear();
  }
}

/** prom-client runs a metric's `collect` (when it has one) before reading its values. */
type Collectable = { collect?: () => void };

/** Bytes a policy turned down after reading them (`keep`): shared with concurrent callers, never kept. */
const UNKEPT: CachePolicy = { kind: 'parquet_footer', memory: false };

/**
 * A copy when the bytes are a view into a larger allocation (Node's shared pool for small
 * buffers, a whole response body): the cache counts `byteLength`, and must hold no more than that.
 */
export function toOwnedBuffer(data: Uint8Array): Buffer {
  if (data.byteOffset === 0 && data.buffer.byteLength === data.byteLength) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  const copy = Buffer.allocUnsafeSlow(data.byteLength);
  copy.set(data);
  return copy;
}

/** The promise's outcome, unless the signal aborts first (then its reason). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
