import type { Backend } from './backend/backend';
import { isSignalPrefix } from './backend/prefixes';
import { blockObjectKey, META_OBJECT } from './block-keys';
import { openBlock } from './block-reader';
import type { BlockReader } from './encoding/block-format';
import { forEachLimited } from './for-each-limited';
import { openSearchSidecar } from './search/search-sidecar';
import type { SidecarReader } from './search/sidecar-reader';
import { traceIdToHex } from './trace-id';
import type { BlockMeta, StoredBlockMeta } from './types';

/** The part of a pino logger the blocklist uses. */
export interface BlocklistLogger {
  warn(details: object, message: string): void;
}

export interface BlockEntry {
  meta: BlockMeta;
  reader: BlockReader;
  /** The block's search data; undefined for blocks written before search data existed. */
  search: SidecarReader | undefined;
}

export interface BlocklistOptions {
  /** meta.json reads in flight while loading, kept low so a bounded BackendPool never overflows. */
  loadConcurrency?: number;
}

/** Every complete block the store knows about, per tenant. */
export class Blocklist {
  private readonly tenants = new Map<string, Map<string, BlockEntry>>();
  private readonly loadConcurrency: number;

  constructor(
    private readonly logger?: BlocklistLogger,
    options: BlocklistOptions = {},
  ) {
    this.loadConcurrency = Math.max(1, options.loadConcurrency ?? 8);
  }

  /**
   * Discovers the blocks under `<tenant>/<blockId>/meta.json`. A directory without meta.json is
   * a block still being written (or abandoned by a crash) and is skipped silently; a meta.json
   * that cannot be read or parsed is skipped with a warning. Returns how many blocks were added.
   */
  async load(backend: Backend): Promise<number> {
    const candidates: { tenantId: string; blockId: string }[] = [];
    for (const tenantId of await backend.list('')) {
      if (isSignalPrefix(tenantId)) continue;
      for (const blockId of await backend.list(`${tenantId}/`)) candidates.push({ tenantId, blockId });
    }
    let added = 0;
    await forEachLimited(candidates, this.loadConcurrency, async ({ tenantId, blockId }) => {
      const reader = await this.openBlock(backend, tenantId, blockId);
      if (reader) {
        this.add(reader.meta, reader, openSearchSidecar(backend, reader.meta));
        added++;
      }
    });
    return added;
  }

  add(meta: BlockMeta, reader: BlockReader, search?: SidecarReader): void {
    let blocks = this.tenants.get(meta.tenantId);
    if (!blocks) {
      blocks = new Map();
      this.tenants.set(meta.tenantId, blocks);
    }
    blocks.set(meta.blockId, { meta, reader, search });
  }

  /** Forgets a block; true when it was known. */
  remove(tenantId: string, blockId: string): boolean {
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

  private async openBlock(
    backend: Backend,
    tenantId: string,
    blockId: string,
  ): Promise<BlockReader | undefined> {
    const key = blockObjectKey(tenantId, blockId, META_OBJECT);
    try {
      const bytes = await backend.read(key);
      if (!bytes) return undefined;
      // Opening refuses an unknown format, and the format's reader checks the trace ID range,
      // so a malformed meta.json is caught here too.
      const reader = openBlock(backend, JSON.parse(bytes.toString('utf8')) as StoredBlockMeta);
      const { meta } = reader;
      if (meta.tenantId !== tenantId || meta.blockId !== blockId) {
        throw new Error(`meta.json names ${meta.tenantId}/${meta.blockId}`);
      }
      return reader;
    } catch (err) {
      this.logger?.warn({ err, key }, 'skipping block with unreadable meta.json');
      return undefined;
    }
  }
}
