import type { Backend } from './backend/backend';
import { ForeignBlocks } from './blocklist-foreign';
import { addIndexed, dropGone, readBlock, Sightings, surveyBucket } from './blocklist-survey';
import type { BlockEntry, BlocklistView, CompactedBlock } from './blocklist-view';
import type { BlockReader } from './encoding/block-format';
import { forEachLimited } from './for-each-limited';
import { openSearchSidecar } from './search/search-sidecar';
import type { SidecarReader } from './search/sidecar-reader';
import { isBlockName } from './tenant-index';
import { traceIdToHex } from './trace-id';
import type { BlockMeta } from './types';

export type { BlockEntry, CompactedBlock } from './blocklist-view';

/** The part of a pino logger the blocklist uses. */
export interface BlocklistLogger {
  warn(details: object, message: string): void;
}

export interface BlocklistOptions {
  /** meta.json reads in flight while loading, kept low so a bounded BackendPool never overflows. */
  loadConcurrency?: number;
  /**
   * Reads each tenant's index (`<tenant>/loupe-index.json.gz`, tenant-index.ts) instead of listing the
   * tenant, where one exists that was built within `staleMs` (0: of any age); otherwise lists the
   * tenant when `fallback` is on, or leaves its blocks as they were. For processes that run no
   * compactor: the compactor lists, and builds the indexes from that.
   */
  tenantIndex?: { staleMs: number; fallback: boolean };
}

export interface PollOptions {
  /** Lists every tenant, fresh index or not: for when the blocks an index may lack matter now. */
  list?: boolean;
}

/** How many deleted block IDs `addFromBackend` remembers not to read again. */
const MAX_GONE_REMEMBERED = 100_000;

/**
 * Every complete block the store knows about, per tenant. Blocks named in another block's
 * `compactedFrom` are set apart (`compacted`): searches and lookups see the block they were
 * compacted into, never both, and the compactor deletes them later.
 */
export class Blocklist implements BlocklistView {
  private readonly tenants = new Map<string, Map<string, BlockEntry>>();
  private readonly compacted = new Map<string, Map<string, CompactedBlock>>();
  /** Block directories without meta.json at the last load: written part-way, or being written. */
  private incomplete: { tenantId: string; blockId: string; seenAt: number }[] = [];
  private readonly loadConcurrency: number;
  private readonly gone = new Set<string>();
  private readonly indexOptions: BlocklistOptions['tenantIndex'];
  /** What tells a block deleted from one written after a tenant index was built. */
  private readonly sightings = new Sightings();
  /** Blocks of formats this Loupe cannot read (Tempo's, in a shared bucket): never listed, read once. */
  readonly foreign = new ForeignBlocks();
  /** Tenants whose tenant index under its old name is not Loupe's: not read again at each poll. */
  private readonly noLegacyIndex = new Set<string>();
  private lastListing: { startedAt: number; tenantIds: readonly string[] } | undefined;

  constructor(
    private readonly logger?: BlocklistLogger,
    options: BlocklistOptions = {},
  ) {
    this.loadConcurrency = Math.max(1, options.loadConcurrency ?? 8);
    this.indexOptions = options.tenantIndex;
  }

  /**
   * Discovers the blocks under `<tenant>/<blockId>/meta.json` (or in tenant indexes). A directory
   * without meta.json is a block still being written (or abandoned by a crash) and is skipped
   * silently; a meta.json that cannot be read or parsed is skipped with a warning, and one of a
   * format Loupe cannot read (Tempo's) is left alone, warned once. Returns how many blocks were added.
   */
  async load(backend: Backend): Promise<number> {
    this.incomplete = [];
    return (await this.sync(backend, { trackIncomplete: true })).added;
  }

  /**
   * Brings the list up to date with the backend, for what other processes did (Tempo's
   * `blocklist_poll`): a block that appeared with its meta.json is added; a block whose folder
   * is gone (retention, or a compaction's cleanup) is dropped; `compactedFrom` is applied again.
   * Costs one listing per tenant and one meta.json read per new block, or one index read per
   * tenant where a fresh index is used.
   */
  poll(backend: Backend, options: PollOptions = {}): Promise<{ added: number; removed: number }> {
    return this.sync(backend, options);
  }

  /** When the last poll or load that listed every tenant started, and the tenants it found. */
  lastFullListing(): { startedAt: number; tenantIds: readonly string[] } | undefined {
    return this.lastListing;
  }

  private async sync(
    backend: Backend,
    { list = false, trackIncomplete = false }: PollOptions & { trackIncomplete?: boolean },
  ): Promise<{ added: number; removed: number }> {
    const startedAt = Date.now();
    // Only blocks known before the listing can be missing from it: one this process adds while
    // the poll runs (a flush, a compaction) is not in the listing, and must stay.
    const knownBefore = new Set(
      this.tenantIds().flatMap((t) => this.blocks(t).map((b) => `${t}/${b.meta.blockId}`)),
    );
    const views = await surveyBucket(backend, {
      tenantIndex: list ? undefined : this.indexOptions,
      noLegacyIndex: this.noLegacyIndex,
      logger: this.logger,
    });
    const fresh: { tenantId: string; blockId: string }[] = [];
    for (const [tenantId, view] of views) {
      if (view.kind !== 'listed') continue;
      this.foreign.prune(tenantId, view.blockIds);
      for (const blockId of view.blockIds) {
        if (!this.knows(tenantId, blockId) && !this.foreign.has(tenantId, blockId))
          fresh.push({ tenantId, blockId });
      }
    }
    let added = 0;
    const seenAt = Date.now();
    await forEachLimited(fresh, this.loadConcurrency, async ({ tenantId, blockId }) => {
      const reader = await readBlock(backend, tenantId, blockId, this.logger, this.foreign);
      if (reader === null && trackIncomplete) this.incomplete.push({ tenantId, blockId, seenAt });
      if (!reader || this.knows(tenantId, blockId)) return;
      this.add(reader.meta, reader, openSearchSidecar(backend, reader.meta));
      added++;
    });
    // No await from here on: a query sees indexed blocks together with what they replace set apart.
    for (const view of views.values()) {
      if (view.kind === 'index') added += addIndexed(this, this.sightings, backend, view.index, this.logger);
    }
    const removed = dropGone(this, this.sightings, views, knownBefore);
    // A compaction that crashed after writing its block but before its inputs were deleted
    // leaves both: the new block's meta.json says which are superseded.
    this.setApartCompacted();
    if ([...views.values()].every((view) => view.kind === 'listed')) {
      this.lastListing = { startedAt, tenantIds: [...views.keys()] };
    }
    return { added, removed };
  }

  /** Whether the block is listed, live or set apart as compacted. */
  knows(tenantId: string, blockId: string): boolean {
    return this.get(tenantId, blockId) !== undefined || this.compacted.get(tenantId)?.has(blockId) === true;
  }

  /**
   * Adds the named blocks that are new to this list (neither listed nor set apart as compacted),
   * reading their meta.json: a querier learns from the ingesters which blocks they flushed since
   * its last poll. Returns how many were added.
   */
  async addFromBackend(backend: Backend, tenantId: string, blockIds: readonly string[]): Promise<number> {
    const fresh = [...new Set(blockIds)].filter(
      (id) =>
        isBlockName(id) &&
        !this.foreign.has(tenantId, id) &&
        !this.get(tenantId, id) &&
        !this.compacted.get(tenantId)?.has(id) &&
        !this.gone.has(`${tenantId}/${id}`),
    );
    let added = 0;
    await forEachLimited(fresh, this.loadConcurrency, async (blockId) => {
      const reader = await readBlock(backend, tenantId, blockId, this.logger, this.foreign);
      if (reader === null) this.rememberGone(`${tenantId}/${blockId}`);
      if (!reader || this.get(tenantId, blockId)) return;
      this.add(reader.meta, reader, openSearchSidecar(backend, reader.meta));
      added++;
    });
    if (added > 0) this.setApartCompacted();
    return added;
  }

  /**
   * Blocks named to `addFromBackend` that had no meta.json (compacted and deleted while an
   * ingester still names them): not read again on every query. Oldest forgotten past the cap.
   */
  private rememberGone(key: string): void {
    this.gone.add(key);
    if (this.gone.size > MAX_GONE_REMEMBERED) this.gone.delete(this.gone.values().next().value as string);
  }

  add(meta: BlockMeta, reader: BlockReader, search?: SidecarReader): void {
    this.sightings.seen(meta.tenantId, meta.blockId);
    let blocks = this.tenants.get(meta.tenantId);
    if (!blocks) {
      blocks = new Map();
      this.tenants.set(meta.tenantId, blocks);
    }
    blocks.set(meta.blockId, { meta, reader, search });
  }

  /**
   * A compaction's result in one step: `added` becomes visible and the blocks it was compacted
   * from are set apart, with nothing in between for a query to see (callers are on one thread).
   */
  replace(added: BlockEntry): void {
    const { meta } = added;
    this.add(meta, added.reader, added.search);
    this.setApart(meta.tenantId, meta.compactedFrom ?? [], Date.parse(meta.createdAt));
  }

  /** Tenants with blocks set apart by compaction. */
  tenantIdsWithCompacted(): string[] {
    return [...this.compacted.keys()];
  }

  /** Blocks set apart by compaction, awaiting deletion. */
  compactedBlocks(tenantId: string): CompactedBlock[] {
    return [...(this.compacted.get(tenantId)?.values() ?? [])];
  }

  /** Forgets a compacted block (once deleted). */
  forgetCompacted(tenantId: string, blockId: string): void {
    this.sightings.forget(tenantId, blockId);
    const blocks = this.compacted.get(tenantId);
    blocks?.delete(blockId);
    if (blocks?.size === 0) this.compacted.delete(tenantId);
  }

  /** Sets apart every block another block's `compactedFrom` names. */
  private setApartCompacted(): void {
    for (const tenantId of this.tenantIds()) {
      for (const { meta } of this.blocks(tenantId)) {
        if (meta.compactedFrom) this.setApart(tenantId, meta.compactedFrom, Date.parse(meta.createdAt));
      }
    }
  }

  private setApart(tenantId: string, blockIds: readonly string[], since: number): void {
    for (const blockId of blockIds) {
      const entry = this.get(tenantId, blockId);
      if (!entry) continue;
      this.unlist(tenantId, blockId);
      let blocks = this.compacted.get(tenantId);
      if (!blocks) {
        blocks = new Map();
        this.compacted.set(tenantId, blocks);
      }
      blocks.set(blockId, { entry, since });
    }
  }

  /** Forgets a block; true when it was known. */
  remove(tenantId: string, blockId: string): boolean {
    if (!this.unlist(tenantId, blockId)) return false;
    this.sightings.forget(tenantId, blockId);
    return true;
  }

  /** Takes a block out of the live list (to forget it, or to set it apart). */
  private unlist(tenantId: string, blockId: string): boolean {
    const blocks = this.tenants.get(tenantId);
    if (!blocks?.delete(blockId)) return false;
    if (blocks.size === 0) this.tenants.delete(tenantId);
    return true;
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  blocks(tenantId: string): BlockEntry[] {
    return [...(this.tenants.get(tenantId)?.values() ?? [])];
  }

  get(tenantId: string, blockId: string): BlockEntry | undefined {
    return this.tenants.get(tenantId)?.get(blockId);
  }

  /**
   * Blocks that may hold the trace: its ID within the block's [min, max], and, when a time range
   * is given, the block's [startMs, endMs] overlapping it. Newest blocks first.
   */
  candidates(tenantId: string, traceId: Uint8Array, startMs?: number, endMs?: number): BlockEntry[] {
    const hex = traceIdToHex(traceId);
    return this.blocks(tenantId)
      .filter(({ meta }) => {
        if (hex < meta.minTraceId || hex > meta.maxTraceId) return false;
        if (startMs !== undefined && meta.endMs < startMs) return false;
        if (endMs !== undefined && meta.startMs > endMs) return false;
        return true;
      })
      .sort((a, b) => b.meta.endMs - a.meta.endMs);
  }

  /**
   * Block directories that had no meta.json at the last load (a crash mid-write, or a write under
   * way then): the compactor deletes those still without one after a grace period.
   */
  incompleteBlocks(): readonly { tenantId: string; blockId: string; seenAt: number }[] {
    return this.incomplete;
  }

  /** Forgets an incomplete block directory (deleted, or found complete). */
  forgetIncomplete(tenantId: string, blockId: string): void {
    this.incomplete = this.incomplete.filter((b) => b.tenantId !== tenantId || b.blockId !== blockId);
  }
}
