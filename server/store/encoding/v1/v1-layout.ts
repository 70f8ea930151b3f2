import { constants } from 'node:zlib';

/**
 * Object names and compression settings shared by the `loupe-v1` writer and reader. The byte
 * layout of each object is described in docs/block-format.md (and beside each codec); the ADR
 * (docs/adr/001-block-format.md) records how the page size and brotli quality were chosen.
 */

export const V1_FORMAT_ID = 'loupe-v1';
export const DATA_OBJECT = 'data';
export const INDEX_OBJECT = 'index';

/** Uncompressed bytes per page: bigger pages compress better, smaller ones decompress faster. */
export const DEFAULT_PAGE_SIZE_BYTES = 256 * 1024;
/** Brotli quality 4–6 is where size and speed balance for OTLP protobuf. */
export const DEFAULT_BROTLI_QUALITY = 5;

/** The brotli window only needs to span one page; a smaller window means less decoder memory. */
export function brotliOptions(pageBytes: number, quality: number) {
  const window = Math.min(
    constants.BROTLI_MAX_WINDOW_BITS,
    Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(Math.max(1, pageBytes)))),
  );
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_LGWIN]: window,
      [constants.BROTLI_PARAM_SIZE_HINT]: pageBytes,
    },
  };
}
