import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Backend } from './backend/backend';
import type { BlocklistView } from './blocklist-view';
import type { StoredBlockMeta } from './types';

/**
 * A tenant's blocks in one object, `<tenant>/loupe-index.json.gz`, written by the compactor that
 * holds the lease and read by pollers instead of listing the tenant and reading every new
 * meta.json. Block folders are UUIDs, so the name cannot be a block's; everything that lists
 * `<tenant>/` for blocks skips it (`isBlockName`).
 *
 * Loupe once wrote it as `<tenant>/index.json.gz`, Tempo's name for its own tenant index. In a
 * bucket shared with Tempo the two overwrote each other, so Loupe now writes a name of its own
 * and never writes or deletes `index.json.gz`; it still reads one of its own format there, where
 * its own name is missing, so pollers keep using the index of a bucket written before.
 */
export const TENANT_INDEX_OBJECT = 'loupe-index.json.gz';
export const LEGACY_TENANT_INDEX_OBJECT = 'index.json.gz';
export const TENANT_INDEX_FORMAT = 'loupe-tenant-index-v1';
/** Tempo's tenant index in protobuf, beside its JSON one. */
const TEMPO_PROTO_TENANT_INDEX = 'index.pb.zst';
/** Objects at `<tenant>/` that are not block folders: the tenant indexes, Loupe's and Tempo's. */
const TENANT_LEVEL_OBJECTS: ReadonlySet<string> = new Set([
  TENANT_INDEX_OBJECT,
  LEGACY_TENANT_INDEX_OBJECT,
  TEMPO_PROTO_TENANT_INDEX,
]);

export interface TenantIndex {
  /** Who built it (the compactor lease's owner, one per process start). */
  builder: string;
  /** When it was written (unix ms): how fresh it is. */
  builtAt: number;
  /**
   * When the builder's last full listing of the bucket started (unix ms): every block whose
   * meta.json existed then, and is not deleted since, is in `blocks`. Blocks written later may
   * be missing, which is why a poller never drops a block it learned of after this.
   */
  listedAt: number;
  /** Live blocks, and compacted ones not yet deleted (their successors' `compactedFrom` names them). */
  blocks: StoredBlockMeta[];
}

/** What the object holds: the same, with readable times. */
interface StoredTenantIndex {
  format: string;
  builder: string;
  builtAt: string;
  listedAt: string;
  blocks: StoredBlockMeta[];
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function tenantIndexKey(tenantId: string): string {
  return `${tenantId}/${TENANT_INDEX_OBJECT}`;
}

/** True for a child of `<tenant>/` that can be a block folder: anything but a tenant index. */
export function isBlockName(name: string): boolean {
  return !TENANT_LEVEL_OBJECTS.has(name);
}

/** A block ID usable as one key segment: what a corrupt or hostile index could otherwise slip in. */
function isSafeBlockName(blockId: string): boolean {
  return isBlockName(blockId) && !/[/\\\0]/.test(blockId) && !['', '.', '..'].includes(blockId);
}

export async function encodeTenantIndex(index: TenantIndex): Promise<Buffer> {
  const stored: StoredTenantIndex = {
    format: TENANT_INDEX_FORMAT,
    builder: index.builder,
    builtAt: new Date(index.builtAt).toISOString(),
    listedAt: new Date(index.listedAt).toISOString(),
    blocks: index.blocks,
  };
  return gzipAsync(Buffer.from(JSON.stringify(stored)));
}

/** Parses an index; throws on anything else (another format, Tempo's own index, corruption). */
export async function decodeTenantIndex(tenantId: string, bytes: Uint8Array): Promise<TenantIndex> {
  const stored = JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as Partial<StoredTenantIndex>;
  if (stored.format !== TENANT_INDEX_FORMAT) {
    throw new Error(`tenant index format ${JSON.stringify(stored.format)} is not ${TENANT_INDEX_FORMAT}`);
  }
  const builtAt = Date.parse(String(stored.builtAt));
  const listedAt = Date.parse(String(stored.listedAt));
  if (typeof stored.builder !== 'string' || Number.isNaN(builtAt) || Number.isNaN(listedAt)) {
    throw new Error('tenant index lacks builder, builtAt or listedAt');
  }
  if (!Array.isArray(stored.blocks)) throw new Error('tenant index has no blocks array');
  for (const meta of stored.blocks) {
    const { blockId } = meta ?? {};
    if (meta?.tenantId !== tenantId || typeof blockId !== 'string' || !isSafeBlockName(blockId)) {
      throw new Error(
        `tenant index of ${tenantId} names block ${JSON.stringify(blockId)} of ${meta?.tenantId}`,
      );
    }
  }
  return { builder: stored.builder, builtAt, listedAt, blocks: stored.blocks };
}

/**
 * The tenant's index, or undefined when it has none. Throws when it cannot be read or parsed.
 * Without one under Loupe's name, an index Loupe wrote under the old name is used; anything else
 * there is Tempo's (or unreadable), and counts as no index, without a warning.
 *
 * `noLegacy`: tenants whose old name held no index of Loupe's when last read, added to here and
 * not read again. Only an older Loupe writes one there, so one missing stays missing, and Tempo's
 * (a whole bucket's blocks, in a shared one) is not downloaded at every poll.
 */
export async function readTenantIndex(
  backend: Backend,
  tenantId: string,
  noLegacy?: Set<string>,
): Promise<TenantIndex | undefined> {
  const bytes = await backend.read(tenantIndexKey(tenantId));
  if (bytes) return decodeTenantIndex(tenantId, bytes);
  if (noLegacy?.has(tenantId)) return undefined;
  const legacy = await backend.read(`${tenantId}/${LEGACY_TENANT_INDEX_OBJECT}`);
  const index = legacy && (await decodeTenantIndex(tenantId, legacy).catch(() => undefined));
  if (!index) noLegacy?.add(tenantId);
  return index;
}

export async function writeTenantIndex(
  backend: Backend,
  tenantId: string,
  index: TenantIndex,
): Promise<void> {
  await backend.write(tenantIndexKey(tenantId), await encodeTenantIndex(index));
}

/**
 * The index of a tenant as a compactor's blocklist knows it, which must come from listings of
 * the bucket (never from indexes): live blocks and compacted ones not yet deleted.
 */
export function tenantIndexOf(blocklist: BlocklistView, tenantId: string, builder: string): TenantIndex {
  return {
    builder,
    builtAt: Date.now(),
    // Never listed (a list built by hand): nothing can be proven deleted by this index's absence.
    listedAt: blocklist.lastFullListing()?.startedAt ?? 0,
    blocks: [
      ...blocklist.blocks(tenantId).map((entry) => entry.meta),
      ...blocklist.compactedBlocks(tenantId).map(({ entry }) => entry.meta),
    ],
  };
}
