/** Parquet's enums as parquet.thrift numbers them (https://github.com/apache/parquet-format). */

export type ParquetColumnType =
  | 'STRING'
  | 'JSON'
  | 'BYTES'
  | 'INT32'
  | 'INT64'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'FIXED_LEN_BYTE_ARRAY';

/** One column of a flat schema. */
export interface ParquetColumnSpec {
  name: string;
  type: ParquetColumnType;
  /** FIXED_LEN_BYTE_ARRAY: bytes per value. */
  typeLength?: number;
  nullable: boolean;
  /**
   * `dictionary`: RLE_DICTIONARY with a PLAIN dictionary page (PLAIN past `DICTIONARY_MAX_BYTES`);
   * `delta`: DELTA_BINARY_PACKED, for required INT64 columns of nearby values (times).
   */
  encoding: 'dictionary' | 'plain' | 'delta';
  /** False for values compression cannot shrink (random IDs): their pages are stored as they are. */
  compressed: boolean;
}

export const PHYSICAL_TYPE: Record<ParquetColumnType, number> = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  DOUBLE: 5,
  STRING: 6,
  JSON: 6,
  BYTES: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
};

/** ConvertedType of the logical types used here: UTF8 = 0, JSON = 19 (`BYTES` is a BYTE_ARRAY without one). */
export const CONVERTED_TYPE: Partial<Record<ParquetColumnType, number>> = { STRING: 0, JSON: 19 };

export const REPETITION = { REQUIRED: 0, OPTIONAL: 1 } as const;

export const ENCODING = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, RLE_DICTIONARY: 8 } as const;

export const PAGE_TYPE = { DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;

export const CODEC = { UNCOMPRESSED: 0, BROTLI: 4 } as const;
