import type { Backend } from './backend/backend';
import { blockObjectKey, META_OBJECT } from './block-keys';
import type { BuildBlockOptions, BuiltBlock } from './encoding/block-format';
import { WRITE_FORMAT } from './encoding/registry';
import { buildSearchObjects } from './search/search-sidecar';

/**
 * Encodes a block in memory in the format new blocks are written in (`WRITE_FORMAT`).
 * Synchronous and CPU-only: it runs on the block-builder worker thread.
 */
export function buildBlock(options: BuildBlockOptions): BuiltBlock {
  const built = WRITE_FORMAT.build(options);
  // The search sidecar is format-independent: it reads the same traces the pages hold.
  const search = buildSearchObjects(options.traces);
  if (!search) return built;
  return { meta: { ...built.meta, search: search.meta }, objects: [...built.objects, ...search.objects] };
}

/**
 * Writes a built block under `<tenantId>/<blockId>/`: every object first, `meta.json` last.
 * Readers only discover blocks through `meta.json`, so a crash part-way leaves an invisible
 * directory rather than a visible block with missing pieces.
 */
export async function writeBlock(backend: Backend, built: BuiltBlock): Promise<void> {
  const { tenantId, blockId } = built.meta;
  for (const object of built.objects) {
    await backend.write(blockObjectKey(tenantId, blockId, object.name), object.data);
  }
  await backend.write(
    blockObjectKey(tenantId, blockId, META_OBJECT),
    Buffer.from(`${JSON.stringify(built.meta, null, 2)}\n`),
  );
}
