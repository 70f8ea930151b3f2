import { searchTraceFromOtlp } from '../../search-model/otlp-to-search';
import type { SearchTrace } from '../../search-model/search-trace';
import type { Backend } from '../backend/backend';
import type { BlockObject } from '../encoding/block-format';
import { traceIdToHex } from '../trace-id';
import type { BlockMeta, TraceRecord } from '../types';
import {
  READABLE_SEARCH_FORMATS,
  SEARCH_SUMMARY_FORMAT,
  type SearchMeta,
  SIDECAR_OBJECT,
  SUMMARY_OBJECT,
} from './search-layout';
import type { SearchSummary } from './search-summary';
import { planSidecarCopy, type SearchReuse, writeMergedSidecar } from './sidecar-merge';
import { SidecarReader } from './sidecar-reader';
import { buildSearchSidecar } from './sidecar-writer';

/**
 * The traces of a block, newest start first, decoded one at a time as the writer asks. The store
 * holds trace bytes it never had to read; ingest has checked them, but a trace that still does
 * not decode is left out of search (and counted) rather than failing its whole block.
 */
function* newestFirst(
  traces: readonly TraceRecord[],
  skipped: { traces: number },
  copied?: ReadonlySet<string>,
): Generator<SearchTrace> {
  const order = traces.map((_, i) => i);
  order.sort((a, b) => traces[b].startMs - traces[a].startMs || (a < b ? -1 : 1));
  for (const i of order) {
    const record = traces[i];
    if (record.data.length === 0) continue;
    const id = traceIdToHex(record.traceId);
    if (copied?.has(id)) continue;
    let trace: SearchTrace;
    try {
      trace = searchTraceFromOtlp(id, [record.data]);
    } catch {
      skipped.traces++;
      continue;
    }
    yield trace;
  }
}

/**
 * A block's search objects (`search.parquet`, `search-summary.json`) and the `search` field of
 * its meta; undefined when the block holds no spans. Runs on the block-builder worker. `reuse`
 * (a compaction's inputs): the inputs' row groups that can be are copied as they are, and only
 * the other traces are decoded and written again (`planSidecarCopy`).
 */
export function buildSearchObjects(
  traces: readonly TraceRecord[],
  reuse?: SearchReuse,
): { objects: BlockObject[]; meta: SearchMeta } | undefined {
  const skipped = { traces: 0 };
  const plan = reuse
    ? planSidecarCopy(reuse.sources, new Set(reuse.splitTraceIds.map(traceIdToHex)))
    : undefined;
  const merged = plan ? writeMergedSidecar(plan, newestFirst(traces, skipped, plan.traceIds)) : undefined;
  const built = merged ?? buildSearchSidecar(newestFirst(traces, skipped));
  if (!built) return undefined;
  const summary = Buffer.from(JSON.stringify(built.summary));
  return {
    objects: [
      { name: SIDECAR_OBJECT, data: built.parquet },
      { name: SUMMARY_OBJECT, data: summary },
    ],
    meta: {
      format: SEARCH_SUMMARY_FORMAT,
      parquetBytes: built.parquet.byteLength,
      summaryBytes: summary.byteLength,
      rows: built.summary.rows,
      ...(skipped.traces > 0 ? { unsearchableTraces: skipped.traces } : {}),
      ...(merged ? { copiedRows: merged.copiedRows } : {}),
    },
  };
}

/**
 * The sidecar reader of a block, or undefined for a block written before search data existed
 * (search skips those: docs/block-format.md). `objects`: a block just built here, whose summary
 * is taken from memory instead of read back.
 */
export function openSearchSidecar(
  backend: Backend,
  meta: BlockMeta,
  objects?: readonly BlockObject[],
): SidecarReader | undefined {
  const search = meta.search;
  if (!search || !READABLE_SEARCH_FORMATS.includes(search.format)) return undefined;
  const summaryObject = objects?.find((object) => object.name === SUMMARY_OBJECT);
  const summary = summaryObject
    ? (JSON.parse(Buffer.from(summaryObject.data).toString('utf8')) as SearchSummary)
    : undefined;
  return new SidecarReader(backend, meta.tenantId, meta.blockId, search.parquetBytes, summary);
}
