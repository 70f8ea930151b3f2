import { META_OBJECT } from '../../block-keys';
import { BLOOM_OBJECT_PREFIX } from '../../encoding/v1/bloom';
import { INDEX_OBJECT } from '../../encoding/v1/v1-layout';
import { LOCATOR_OBJECT } from '../../encoding/v2/trace-locator';
import { SIDECAR_OBJECT, SUMMARY_OBJECT } from '../../search/search-layout';
import { isSignalPrefix } from '../prefixes';

/**
 * Which reads the block cache keeps. Only objects of a block directory
 * (`<tenant>/<blockId>/<name>`), which never change once written (block IDs are never reused),
 * and of those only the small ones a lookup or a search reads again and again. Everything else
 * — the `data` pages, big Parquet column chunks, the other signals' folders (`@logs/…`),
 * anything not three segments deep (a tenant index, a lease) — passes straight through.
 */

/** The `kind` label of `loupe_cache_requests_total`. */
export type CacheKind = 'meta' | 'index' | 'bloom' | 'search_summary' | 'parquet_footer' | 'parquet_index';

export interface CachePolicy {
  kind: CacheKind;
  /**
   * Whether the memory tier keeps it. Readers keep meta.json (the blocklist), the search summary
   * and the Parquet footer (the sidecar reader) parsed for the block's life; a second copy in
   * memory would only push out the index pages and bloom shards every lookup asks for. Those three
   * are worth the disk tier: after a restart they come from local disk, not the bucket.
   */
  memory: boolean;
  /** Decides after the read whether the bytes are what the policy is for (a footer, not a page). */
  keep?: (bytes: Buffer) => boolean;
}

/** Parquet reads up to this size are page and offset indexes, dictionaries: cheap, read by every search. */
export const SMALL_PARQUET_RANGE_BYTES = 16 * 1024;
/** A Parquet reader's first read of a file is its tail, this much at most (hyparquet asks for 512 KiB). */
export const MAX_PARQUET_FOOTER_READ_BYTES = 1024 * 1024;

const PARQUET_MAGIC = Buffer.from('PAR1');

const META: CachePolicy = { kind: 'meta', memory: false };
const INDEX: CachePolicy = { kind: 'index', memory: true };
const BLOOM: CachePolicy = { kind: 'bloom', memory: true };
const SUMMARY: CachePolicy = { kind: 'search_summary', memory: false };
const PARQUET_INDEX: CachePolicy = { kind: 'parquet_index', memory: true };
/** The read that ends with the file's footer ends with its magic; a column chunk (almost) never does. */
const PARQUET_FOOTER: CachePolicy = {
  kind: 'parquet_footer',
  memory: false,
  keep: (bytes) => bytes.length >= 8 && bytes.subarray(bytes.length - 4).equals(PARQUET_MAGIC),
};

/** Block IDs are random UUIDs (ingester and compactor alike, as in Tempo); sticky, to test in place. */
const BLOCK_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/iy;
const BLOCK_ID_LENGTH = 36;

/**
 * The object's name within its block directory (`<tenant>/<uuid>/<name>`); undefined for any
 * other key. Requiring a UUID keeps out whatever else may one day be three segments deep (a
 * lease per tenant, say), which may be rewritten. Runs twice per warm lookup of every candidate
 * block, so it scans the key instead of splitting it, and leaves refused keys (`..`, NUL…) to the
 * backend below: it throws for them, so nothing is ever stored under one.
 */
export function blockObjectName(key: string): string | undefined {
  const first = key.indexOf('/');
  const second = first + 1 + BLOCK_ID_LENGTH;
  if (first <= 0 || key.charCodeAt(second) !== 47 /* / */ || second === key.length - 1) return undefined;
  if (key.includes('/', second + 1) || isSignalPrefix(key)) return undefined;
  BLOCK_ID.lastIndex = first + 1;
  return BLOCK_ID.test(key) ? key.slice(second + 1) : undefined;
}

/** The policy for `read(key)` of a whole object, or undefined when it is not cached. */
export function readPolicy(key: string): CachePolicy | undefined {
  const name = blockObjectName(key);
  if (name === undefined) return undefined;
  if (name === INDEX_OBJECT) return INDEX;
  if (name.startsWith(BLOOM_OBJECT_PREFIX) && isShardNumber(name, BLOOM_OBJECT_PREFIX.length)) return BLOOM;
  if (name === META_OBJECT) return META;
  if (name === SUMMARY_OBJECT) return SUMMARY;
  return undefined;
}

function isShardNumber(name: string, from: number): boolean {
  if (from >= name.length) return false;
  for (let i = from; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The policy for `readRange`: small reads and the footer read of `search.parquet`, trace locator shards; the rest pass. */
export function rangePolicy(key: string, length: number): CachePolicy | undefined {
  const name = blockObjectName(key);
  // A `loupe-v2` trace locator is read a header and a shard at a time: it is that format's index.
  if (name === LOCATOR_OBJECT) return INDEX;
  if (name !== SIDECAR_OBJECT) return undefined;
  if (length <= SMALL_PARQUET_RANGE_BYTES) return PARQUET_INDEX;
  if (length <= MAX_PARQUET_FOOTER_READ_BYTES) return PARQUET_FOOTER;
  return undefined;
}

/** The cache key of a ranged read: the object key, then the range after a NUL no key can hold. */
export function rangeCacheKey(key: string, offset: number, length: number): string {
  return `${key}\u0000${offset}+${length}`;
}

/** False for a key or prefix under which nothing is ever cached, so writing or deleting it costs no eviction. */
export function mayHoldCached(keyOrPrefix: string): boolean {
  if (!keyOrPrefix.endsWith('/')) {
    return readPolicy(keyOrPrefix) !== undefined || blockObjectName(keyOrPrefix) === SIDECAR_OBJECT;
  }
  const segments = keyOrPrefix.slice(0, -1).split('/');
  return segments.length <= 2 && !isSignalPrefix(segments[0]);
}

/** True when a cache key belongs to `keyOrPrefix` as `Backend.delete` reads it. */
export function matchesDeletion(cacheKey: string, keyOrPrefix: string): boolean {
  if (keyOrPrefix.endsWith('/')) return cacheKey.startsWith(keyOrPrefix);
  return cacheKey === keyOrPrefix || cacheKey.startsWith(`${keyOrPrefix}\u0000`);
}
