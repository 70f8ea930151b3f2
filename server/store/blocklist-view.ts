import type { BlockReader } from './encoding/block-format';
import type { SidecarReader } from './search/sidecar-reader';
import type { BlockMeta } from './types';

/**
 * The blocklist as the helpers beside it (the bucket survey, the tenant index) see it: below
 * `Blocklist`, so they need not import the class that imports them.
 */
export interface BlockEntry {
  meta: BlockMeta;
  reader: BlockReader;
  /** The block's search data; undefined for blocks written before search data existed. */
  search: SidecarReader | undefined;
}

/** A block another block was compacted from: not queried any more, deleted after `since` + retention. */
export interface CompactedBlock {
  entry: BlockEntry;
  /** When the block holding its traces was created (unix ms). */
  since: number;
}

export interface BlocklistView {
  lastFullListing(): { startedAt: number; tenantIds: readonly string[] } | undefined;
  knows(tenantId: string, blockId: string): boolean;
  add(meta: BlockMeta, reader: BlockReader, search?: SidecarReader): void;
  remove(tenantId: string, blockId: string): boolean;
  tenantIds(): string[];
  blocks(tenantId: string): BlockEntry[];
  tenantIdsWithCompacted(): string[];
  compactedBlocks(tenantId: string): CompactedBlock[];
  forgetCompacted(tenantId: string, blockId: string): void;
}
