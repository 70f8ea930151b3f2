import type { Backend } from './backend/backend';
import { isSignalPrefix, isTempoRootObject } from './backend/prefixes';
import { blockObjectKey, META_OBJECT } from './block-keys';
import { openBlock } from './block-reader';
import type { ForeignBlocks } from './blocklist-foreign';
import type { BlocklistView } from './blocklist-view';
import type { BlockReader } from './encoding/block-format';
import { UnknownBlockFormatError } from './encoding/registry';
import { openSearchSidecar } from './search/search-sidecar';
import { isBlockName, readTenantIndex, type TenantIndex } from './tenant-index';
import type { StoredBlockMeta } from './types';

/**
 * How a blocklist poll looks at the bucket (blocklist.ts applies what it finds): the tenants at
 * the root, and for each either a listing of its block folders or its tenant index.
 */

/** What a poll saw of one tenant: a listing, an index, or nothing usable (blocks left as they were). */
export type TenantView =
  | { kind: 'listed'; blockIds: ReadonlySet<string> }
  | { kind: 'index'; blockIds: ReadonlySet<string>; index: TenantIndex }
  | { kind: 'unknown' };

/** Since when a known block surely existed (unix ms), and the builder of the last index that listed it. */
interface Sighting {
  at: number;
  builder?: string;
}

/**
 * Per known block: what tells a block deleted since from one written after a tenant index's
 * builder last listed the bucket (`isGone`).
 */
export class Sightings {
  private readonly byBlock = new Map<string, Sighting>();

  /** The block exists now (just read, or just written), unless already known from earlier. */
  seen(tenantId: string, blockId: string, at = Date.now()): void {
    const key = `${tenantId}/${blockId}`;
    if (!this.byBlock.has(key)) this.byBlock.set(key, { at });
  }

  /** The block is in this builder's index. */
  indexed(tenantId: string, blockId: string, builder: string): void {
    const sighting = this.byBlock.get(`${tenantId}/${blockId}`);
    if (sighting) sighting.builder = builder;
  }

  get(tenantId: string, blockId: string): Sighting | undefined {
    return this.byBlock.get(`${tenantId}/${blockId}`);
  }

  forget(tenantId: string, blockId: string): void {
    this.byBlock.delete(`${tenantId}/${blockId}`);
  }
}

export interface SurveyOptions {
  /** Use fresh tenant indexes (see `BlocklistOptions.tenantIndex`); absent: list every tenant. */
  tenantIndex?: { staleMs: number; fallback: boolean };
  /** Tenants with no index of Loupe's under the old name (`readTenantIndex`), kept across polls. */
  noLegacyIndex?: Set<string>;
  logger?: { warn(details: object, message: string): void };
}

/** Every trace tenant of the bucket, seen through its fresh index or a listing. */
export async function surveyBucket(
  backend: Backend,
  options: SurveyOptions,
): Promise<Map<string, TenantView>> {
  const views = new Map<string, TenantView>();
  for (const tenantId of await backend.list('')) {
    if (isSignalPrefix(tenantId) || isTempoRootObject(tenantId)) continue;
    const index = await usableIndex(backend, tenantId, options);
    if (index === null) views.set(tenantId, { kind: 'unknown' });
    else if (index) {
      views.set(tenantId, { kind: 'index', blockIds: new Set(index.blocks.map((m) => m.blockId)), index });
    } else {
      const names = (await backend.list(`${tenantId}/`)).filter(isBlockName);
      views.set(tenantId, { kind: 'listed', blockIds: new Set(names) });
    }
  }
  return views;
}

/** A fresh index of the tenant; undefined to list it instead; null for neither. */
async function usableIndex(
  backend: Backend,
  tenantId: string,
  { tenantIndex, noLegacyIndex, logger }: SurveyOptions,
): Promise<TenantIndex | null | undefined> {
  if (!tenantIndex) return undefined;
  try {
    const index = await readTenantIndex(backend, tenantId, noLegacyIndex);
    const { staleMs } = tenantIndex;
    if (index && (staleMs === 0 || Date.now() - index.builtAt <= staleMs)) return index;
  } catch (err) {
    logger?.warn({ err, tenant: tenantId }, 'unreadable tenant index');
  }
  return tenantIndex.fallback ? undefined : null;
}

/** Whether a known block is gone from the bucket, by what the poll saw of its tenant. */
function isGone(view: TenantView | undefined, blockId: string, seen: Sighting | undefined): boolean {
  if (!view) return true; // the tenant's folder is gone
  if (view.kind === 'unknown' || view.blockIds.has(blockId)) return false;
  if (view.kind === 'listed') return true;
  // An index lacks the blocks written after its builder last listed the bucket. Missing from
  // one, a block is gone only if that builder had indexed it (a builder forgets only deleted
  // blocks), or if it surely existed before that listing.
  return seen !== undefined && (seen.builder === view.index.builder || seen.at < view.index.listedAt);
}

/**
 * The block's reader from its meta.json; null when it has none (being written, or left by a
 * crash); undefined, with a warning, when it is unreadable. A meta.json of a format this Loupe
 * cannot read (Tempo's, a newer Loupe's) is noted in `foreign`, which warns once per block.
 */
export async function readBlock(
  backend: Backend,
  tenantId: string,
  blockId: string,
  logger?: SurveyOptions['logger'],
  foreign?: ForeignBlocks,
): Promise<BlockReader | null | undefined> {
  const key = blockObjectKey(tenantId, blockId, META_OBJECT);
  let stored: Partial<StoredBlockMeta> | undefined;
  try {
    const bytes = await backend.read(key);
    if (!bytes) return null;
    stored = JSON.parse(bytes.toString('utf8')) as Partial<StoredBlockMeta>;
    // Opening refuses an unknown format, and the format's reader checks the trace ID range,
    // so a malformed meta.json is caught here too.
    const reader = openBlock(backend, stored as StoredBlockMeta);
    const { meta } = reader;
    if (meta.tenantId !== tenantId || meta.blockId !== blockId) {
      throw new Error(`meta.json names ${meta.tenantId}/${meta.blockId}`);
    }
    return reader;
  } catch (err) {
    if (err instanceof UnknownBlockFormatError && foreign && typeof stored?.format === 'string') {
      foreign.note(tenantId, blockId, stored.format, logger);
    } else {
      logger?.warn({ err, key }, 'skipping block with unreadable meta.json');
    }
    return undefined;
  }
}

/** Adds the index's blocks the list lacks, from the metas it holds (no meta.json read). */
export function addIndexed(
  list: BlocklistView,
  sightings: Sightings,
  backend: Backend,
  index: TenantIndex,
  logger?: SurveyOptions['logger'],
): number {
  let added = 0;
  for (const stored of index.blocks) {
    const { tenantId, blockId } = stored;
    if (!list.knows(tenantId, blockId)) {
      try {
        const reader = openBlock(backend, stored);
        list.add(reader.meta, reader, openSearchSidecar(backend, reader.meta));
      } catch (err) {
        logger?.warn(
          { err, key: `${tenantId}/${blockId}` },
          'skipping block with unreadable meta in the tenant index',
        );
        continue;
      }
      sightings.forget(tenantId, blockId);
      // It existed when the index was built, whenever this process reads it.
      sightings.seen(tenantId, blockId, index.builtAt);
      added++;
    }
    sightings.indexed(tenantId, blockId, index.builder);
  }
  return added;
}

/** Drops the blocks a poll found gone; returns how many live ones. */
export function dropGone(
  list: BlocklistView,
  sightings: Sightings,
  views: ReadonlyMap<string, TenantView>,
  knownBefore: ReadonlySet<string>,
): number {
  let removed = 0;
  for (const tenantId of list.tenantIds()) {
    for (const { meta } of list.blocks(tenantId)) {
      const { blockId } = meta;
      if (!knownBefore.has(`${tenantId}/${blockId}`)) continue;
      if (!isGone(views.get(tenantId), blockId, sightings.get(tenantId, blockId))) continue;
      list.remove(tenantId, blockId);
      removed++;
    }
  }
  for (const tenantId of list.tenantIdsWithCompacted()) {
    for (const { entry } of list.compactedBlocks(tenantId)) {
      const { blockId } = entry.meta;
      if (isGone(views.get(tenantId), blockId, sightings.get(tenantId, blockId))) {
        list.forgetCompacted(tenantId, blockId);
      }
    }
  }
  return removed;
}
