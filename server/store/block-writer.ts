import type { Backend } from './backend/backend';
import { blockObjectKey, META_OBJECT } from './block-keys';
import type { BuildBlockOptions, BuiltBlock } from './encoding/block-format';
import { WRITE_FORMAT } from './encoding/registry';
import { forEachLimited } from './for-each-limited';
import { buildSearchObjects } from './search/search-sidecar';
import type { SearchReuse } from './search/sidecar-merge';
import type { BlockMeta } from './types';

/**
 * Objects of one block written at once. A block has 4 objects and a bloom shard per 100 KiB of
 * filter; each write waits on its own fsyncs (local disk) or round trip (S3), so writing them side
 * by side costs about one write instead of one per object, and the bound keeps a block with many
 * shards from taking every worker of the backend pool.
 */
export const OBJECT_WRITE_CONCURRENCY = 8;

/**
 * Encodes a block in memory in the format new blocks are written in (`WRITE_FORMAT`).
 * Synchronous and CPU-only: it runs on the block-builder worker thread. `searchReuse`: a
 * compaction's input sidecars, whose row groups the new sidecar copies where it can.
 */
export function buildBlock(options: BuildBlockOptions, searchReuse?: SearchReuse): BuiltBlock {
  if (WRITE_FORMAT.writesSearchObjects) return WRITE_FORMAT.build(options, searchReuse);
  const built = WRITE_FORMAT.build(options);
  // The search sidecar is format-independent: it reads the same traces the pages hold.
  const search = buildSearchObjects(options.traces, searchReuse);
  if (!search) return built;
  return { meta: { ...built.meta, search: search.meta }, objects: [...built.objects, ...search.objects] };
}

/**
 * Writes a built block under `<tenantId>/<blockId>/`: every object first, `meta.json` last.
 * Readers only discover blocks through `meta.json`, so a crash part-way leaves an invisible
 * directory rather than a visible block with missing pieces.
 */
export async function writeBlock(backend: Backend, built: BuiltBlock): Promise<void> {
  await writeBlockObjects(backend, built);
  await writeBlockMeta(backend, built.meta);
}

/**
 * Every object of the block but `meta.json`, side by side (at most `OBJECT_WRITE_CONCURRENCY` at
 * once). Resolves once every write has: each one is durable then (the backend's contract), which
 * is what lets `meta.json` follow. On a failure no new write starts, and the first error is
 * thrown only after the writes under way have settled, so nothing lands behind the caller's back
 * (a cleanup that deletes the half-written folder, say).
 */
export async function writeBlockObjects(backend: Backend, built: BuiltBlock): Promise<void> {
  const { tenantId, blockId } = built.meta;
  await forEachLimited(built.objects, OBJECT_WRITE_CONCURRENCY, (object) =>
    backend.write(blockObjectKey(tenantId, blockId, object.name), object.data),
  );
}

/**
 * The block's `meta.json`: its commit point. Only once `writeBlockObjects` has resolved: a
 * meta.json names a block whose every object is already durable.
 */
export async function writeBlockMeta(backend: Backend, meta: BlockMeta): Promise<void> {
  await backend.write(
    blockObjectKey(meta.tenantId, meta.blockId, META_OBJECT),
    Buffer.from(`${JSON.stringify(meta, null, 2)}\n`),
  );
}
