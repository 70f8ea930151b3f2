import type { Backend } from './backend/backend';
import type { BlockReader, BuiltBlock } from './encoding/block-format';
import { blockFormatFor } from './encoding/registry';
import type { BlockMeta, StoredBlockMeta } from './types';

/**
 * A reader for the block a meta.json describes, in the format it names (none: `loupe-v1`).
 * Throws `UnknownBlockFormatError` for a format Loupe cannot read.
 */
export function openBlock(backend: Backend, stored: StoredBlockMeta): BlockReader {
  const format = blockFormatFor(stored.format);
  const meta: BlockMeta = { ...stored, format: format.id };
  return format.open(backend, meta);
}

/** A reader for a block just built in this process: what it caches comes from memory, not reads. */
export function openBuiltBlock(backend: Backend, built: BuiltBlock): BlockReader {
  return blockFormatFor(built.meta.format).openBuilt(backend, built);
}
