import type { BlockFormat } from '../block-format';
import { V1_FORMAT_ID } from './v1-layout';
import { V1BlockReader } from './v1-reader';
import { buildV1Block } from './v1-writer';

/**
 * `loupe-v1` (docs/block-format.md, ADR 001): brotli pages of whole traces, a page index, and a
 * sharded bloom filter over the trace IDs.
 */
export const V1_FORMAT: BlockFormat = {
  id: V1_FORMAT_ID,
  build: buildV1Block,
  open: (backend, meta) => new V1BlockReader(backend, meta),
  openBuilt: (backend, built) => V1BlockReader.fromBuilt(backend, built),
};
