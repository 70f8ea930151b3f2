/**
 * Object names of the `loupe-v2` block format (docs/block-format.md, ADR 008): each span kept once,
 * in the block's Parquet file (`search.parquet`, which search reads as it reads every block's),
 * found by trace ID through the trace locator (`trace-locator.ts`) and the trace-ID bloom filter
 * (`loupe-v1`'s, `../v1/bloom.ts`).
 */
export const V2_FORMAT_ID = 'loupe-v2';

/**
 * Traces whose bytes did not decode into spans (ingest checked them, so this is for the
 * unforeseen): kept whole, each its 16-byte trace ID, a 4-byte little-endian length and the
 * trace's OTLP bytes, so trace by ID and compaction still have them. Absent when there are none.
 * Their locator entries are marked raw and give the record's byte offset and length here.
 */
export const RAW_TRACES_OBJECT = 'raw-traces';
export const RAW_HEADER_BYTES = 20;
