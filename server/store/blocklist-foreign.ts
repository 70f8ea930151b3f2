import type { Backend } from './backend/backend';
import { blockObjectKey, blockPrefix, META_OBJECT } from './block-keys';
import { BLOOM_OBJECT_PREFIX } from './encoding/v1/bloom';
import { DATA_OBJECT, INDEX_OBJECT } from './encoding/v1/v1-layout';
import { LOCATOR_OBJECT } from './encoding/v2/trace-locator';
import { RAW_TRACES_OBJECT } from './encoding/v2/v2-layout';
import { SIDECAR_OBJECT, SUMMARY_OBJECT } from './search/search-layout';

/**
 * What in a folder or bucket Loupe did not write, so that it never touches it. Tempo lays its
 * blocks out as Loupe does (`<tenant>/<block ID>/meta.json`), so a bucket shared with Tempo (by
 * mistake, or during a move) holds Tempo's blocks beside Loupe's. Loupe tells them apart by what
 * it finds, and leaves alone:
 *
 * - a block whose meta.json names a format this Loupe cannot read (Tempo's `vParquet4`, `v2`…,
 *   or a newer Loupe's): never listed, so never queried, compacted or expired;
 * - a folder without meta.json holding an object Loupe never writes (Tempo's `meta.compacted.json`
 *   of a compacted block, `data.parquet` of one being written, `nocompact.flg`): not deleted as
 *   a block Loupe left half-written;
 * - Tempo's objects beside the tenants and the blocks (`tempo_cluster_seed.json`, `work.json`,
 *   `<tenant>/index.json.gz`, `<tenant>/index.pb.zst`): not taken for a tenant or a block, and
 *   never written (`isTempoRootObject` in `backend/prefixes.ts`; Loupe's tenant index has a name
 *   of its own, `tenant-index.ts`).
 *
 * Tempo's format `v2` names its objects `data`, `index` and `bloom-<n>`, as Loupe does: a v2
 * block Tempo left half-written (no meta.json) cannot be told from one of Loupe's.
 */

const LOUPE_BLOCK_OBJECTS: ReadonlySet<string> = new Set([
  META_OBJECT,
  DATA_OBJECT,
  INDEX_OBJECT,
  SIDECAR_OBJECT,
  SUMMARY_OBJECT,
  LOCATOR_OBJECT,
  RAW_TRACES_OBJECT,
]);
const BLOOM_SHARD = new RegExp(`^${BLOOM_OBJECT_PREFIX}\\d+$`);

/** True for a name Loupe writes in a block folder: every object of `loupe-v1`, `loupe-v2` and the search sidecar. */
export function isLoupeBlockObject(name: string): boolean {
  return LOUPE_BLOCK_OBJECTS.has(name) || BLOOM_SHARD.test(name);
}

/** Who wrote a block of a format this Loupe cannot read, for the log: Tempo's formats are `v2` and `vParquet<n>`. */
export function formatOwner(format: string): string {
  return /^v(2|Parquet\d*)$/.test(format) ? 'Tempo' : 'another program, or a newer Loupe';
}

/**
 * Why a folder without meta.json is not a block Loupe left half-written (what it holds), or
 * undefined when it is one: every object in it is one Loupe writes. An empty listing does not
 * prove a folder: on a local disk the name may be a file, which deleting the "folder" removes.
 */
export async function notLoupeLeftover(
  backend: Backend,
  tenantId: string,
  blockId: string,
): Promise<string | undefined> {
  const names = await backend.list(blockPrefix(tenantId, blockId));
  if (names.length === 0) return 'it lists nothing (on a local disk, it may be a file)';
  const foreign = names.filter((name) => !isLoupeBlockObject(name));
  if (foreign.length === 0) return undefined;
  const tempo = foreign.includes('meta.compacted.json') ? ': a block Tempo compacted' : '';
  return `it holds ${foreign.join(', ')}, which Loupe never writes${tempo}`;
}

/**
 * Blocks of a format this Loupe cannot read, per tenant: each is logged once (at warn, with the
 * format found) and its meta.json read once, not at every poll. Forgotten when a listing no
 * longer shows its folder (its owner deleted it).
 */
export class ForeignBlocks {
  private readonly byTenant = new Map<string, Map<string, string>>();

  has(tenantId: string, blockId: string): boolean {
    return this.byTenant.get(tenantId)?.has(blockId) === true;
  }

  /** The foreign blocks of a tenant, with the format each one's meta.json names. */
  of(tenantId: string): ReadonlyMap<string, string> {
    return this.byTenant.get(tenantId) ?? new Map();
  }

  /** Records a foreign block; the first time, warns of it. */
  note(
    tenantId: string,
    blockId: string,
    format: string,
    logger?: { warn(details: object, message: string): void },
  ): void {
    if (this.has(tenantId, blockId)) return;
    let blocks = this.byTenant.get(tenantId);
    if (!blocks) {
      blocks = new Map();
      this.byTenant.set(tenantId, blocks);
    }
    blocks.set(blockId, format);
    logger?.warn(
      { key: blockObjectKey(tenantId, blockId, META_OBJECT), tenant: tenantId, blockId, format },
      `leaving alone block ${tenantId}/${blockId}: its meta.json names format ${JSON.stringify(format)}, written by ${formatOwner(format)}`,
    );
  }

  /** Forgets the tenant's foreign blocks a listing of it no longer shows. */
  prune(tenantId: string, listed: ReadonlySet<string>): void {
    const blocks = this.byTenant.get(tenantId);
    if (!blocks) return;
    for (const blockId of blocks.keys()) if (!listed.has(blockId)) blocks.delete(blockId);
    if (blocks.size === 0) this.byTenant.delete(tenantId);
  }
}
