import type { BlockFormat } from '../block-format';
import { compactionRecords } from './compaction-records';
import { V2_FORMAT_ID } from './v2-layout';
import { V2BlockReader } from './v2-reader';
import { buildV2Block } from './v2-writer';

/**
 * `loupe-v2` (docs/block-format.md, ADR 008): each span once, as a row of the block's Parquet
 * file, which search reads too; a trace locator and a trace-ID bloom filter find a trace's rows.
 */
export const V2_FORMAT: BlockFormat = {
  id: V2_FORMAT_ID,
  writesSearchObjects: true,
  compactionRecords,
  build: buildV2Block,
  open: (backend, meta) => new V2BlockReader(backend, meta),
  openBuilt: (backend, built) => V2BlockReader.fromBuilt(backend, built),
};
