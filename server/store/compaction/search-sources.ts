import type { Backend } from '../backend/backend';
import { blockObjectKey } from '../block-keys';
import { SEARCH_SUMMARY_FORMAT, SIDECAR_OBJECT } from '../search/search-layout';
import { MIN_COPIED_ROW_GROUP_ROWS, type SidecarSource } from '../search/sidecar-merge';
import type { SidecarReader } from '../search/sidecar-reader';
import type { BlockMeta } from '../types';

/**
 * The search sidecars of a compaction's inputs (one per input, undefined where none) that the new block can copy row groups from:
 * inputs in the current search format with at least one group big enough to copy
 * (`MIN_COPIED_ROW_GROUP_ROWS`), read whole (one GET each) beside their pages. An input whose
 * sidecar cannot be read is left out: its traces are rebuilt from its pages, as before.
 */
export async function readSearchSources(
  backend: Backend,
  inputs: readonly { meta: BlockMeta; search?: SidecarReader }[],
): Promise<(SidecarSource | undefined)[]> {
  const sources = await Promise.all(
    inputs.map(async ({ meta, search }): Promise<SidecarSource | undefined> => {
      if (!search || meta.search?.format !== SEARCH_SUMMARY_FORMAT) return undefined;
      if (meta.search.rows < MIN_COPIED_ROW_GROUP_ROWS) return undefined;
      try {
        const { groups: _decoded, ...summary } = await search.summary();
        if (!summary.rowGroups.some((group) => group.rows >= MIN_COPIED_ROW_GROUP_ROWS)) return undefined;
        const parquet = await backend.read(blockObjectKey(meta.tenantId, meta.blockId, SIDECAR_OBJECT));
        return parquet ? { parquet, summary } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return sources;
}
