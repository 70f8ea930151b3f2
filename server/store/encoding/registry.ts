import { ErrorCode } from '../../errors/error-codes';
import type { BlockFormat } from './block-format';
import { V1_FORMAT } from './v1/v1-format';
import { V2_FORMAT } from './v2/v2-format';

/**
 * Every block format Loupe reads, by the `format` field of meta.json. A new format (or a search
 * sidecar's) is an entry here; nothing else in the store tests format names.
 */
const FORMATS: ReadonlyMap<string, BlockFormat> = new Map([
  [V1_FORMAT.id, V1_FORMAT],
  [V2_FORMAT.id, V2_FORMAT],
]);

/** The format new blocks are written in. */
export const WRITE_FORMAT: BlockFormat = V2_FORMAT;

/** Blocks written before meta.json had a `format` field are in the first format. */
const FORMAT_OF_UNMARKED_BLOCKS: BlockFormat = V1_FORMAT;

export class UnknownBlockFormatError extends Error {
  readonly code = ErrorCode.BLOCK_FORMAT;
}

/** The format a block's meta.json names; throws `UnknownBlockFormatError` for one Loupe cannot read. */
export function blockFormatFor(format: string | undefined): BlockFormat {
  if (format === undefined) return FORMAT_OF_UNMARKED_BLOCKS;
  const found = FORMATS.get(format);
  if (!found) throw new UnknownBlockFormatError(`unknown block format ${JSON.stringify(format)}`);
  return found;
}
