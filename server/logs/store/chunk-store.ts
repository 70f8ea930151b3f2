import { randomBytes } from 'node:crypto';
import type { Backend } from '../../store/backend/backend';
import { LOGS_PREFIX } from '../../store/backend/prefixes';
import { forEachLimited } from '../../store/for-each-limited';
import { CHUNK_FORMAT, type ChunkColumns, type ChunkMeta, decodeChunk, encodeChunk } from './chunk-format';

/**
 * Chunks in the shared `Backend`, under the top-level `@logs/` folder, apart from the trace
 * blocks (no tenant ID can start with `@`, and the trace blocklist skips it):
 *   @logs/<tenant>/chunks/<id>.json.gz   the entries
 *   @logs/<tenant>/index/<id>.json       its ChunkMeta, written last: a chunk exists once this does
 */

export function chunkDataKey(tenantId: string, id: string): string {
  return `${LOGS_PREFIX}/${tenantId}/chunks/${id}.json.gz`;
}

export function chunkMetaKey(tenantId: string, id: string): string {
  return `${LOGS_PREFIX}/${tenantId}/index/${id}.json`;
}

/** Time-ordered, unique chunk IDs: the first entry's ms, then randomness. */
export function newChunkId(minMs: number): string {
  return `${String(Math.max(0, Math.floor(minMs))).padStart(15, '0')}-${randomBytes(6).toString('hex')}`;
}

export class ChunkStore {
  constructor(private readonly backend: Backend) {}

  /** Writes a chunk's data, then its meta; returns the meta. */
  async write(tenantId: string, labels: ChunkMeta['labels'], columns: ChunkColumns): Promise<ChunkMeta> {
    const count = columns.ms.length;
    const data = await encodeChunk(columns);
    let lineBytes = 0;
    for (const line of columns.lines) lineBytes += Buffer.byteLength(line);
    const meta: ChunkMeta = {
      format: CHUNK_FORMAT,
      id: newChunkId(columns.ms[0]),
      tenantId,
      labels,
      minMs: columns.ms[0],
      minNs: columns.ns[0],
      maxMs: columns.ms[count - 1],
      maxNs: columns.ns[count - 1],
      count,
      lineBytes,
      storedBytes: data.length,
    };
    await this.backend.write(chunkDataKey(tenantId, meta.id), data);
    await this.backend.write(chunkMetaKey(tenantId, meta.id), Buffer.from(JSON.stringify(meta)));
    return meta;
  }

  async read(meta: ChunkMeta): Promise<ChunkColumns> {
    const data = await this.backend.read(chunkDataKey(meta.tenantId, meta.id));
    if (!data) throw new Error(`log chunk ${meta.tenantId}/${meta.id} is missing from storage`);
    return decodeChunk(data);
  }

  /** Meta first, so a crash mid-delete leaves an invisible object rather than a listed chunk without data. */
  async delete(meta: ChunkMeta): Promise<void> {
    await this.backend.delete(chunkMetaKey(meta.tenantId, meta.id));
    await this.backend.delete(chunkDataKey(meta.tenantId, meta.id));
  }

  /** Every chunk meta in storage; unreadable ones are reported through `onError` and skipped. */
  async loadAll(onError: (key: string, err: unknown) => void, concurrency = 8): Promise<ChunkMeta[]> {
    const keys: { tenantId: string; key: string }[] = [];
    for (const tenantId of await this.backend.list(`${LOGS_PREFIX}/`)) {
      for (const name of await this.backend.list(`${LOGS_PREFIX}/${tenantId}/index/`)) {
        if (name.endsWith('.json')) keys.push({ tenantId, key: `${LOGS_PREFIX}/${tenantId}/index/${name}` });
      }
    }
    const metas: ChunkMeta[] = [];
    await forEachLimited(keys, concurrency, async ({ tenantId, key }) => {
      try {
        const bytes = await this.backend.read(key);
        if (!bytes) return;
        const meta = JSON.parse(bytes.toString('utf8')) as ChunkMeta;
        if (meta.format !== CHUNK_FORMAT || meta.tenantId !== tenantId) {
          throw new Error(`not a ${CHUNK_FORMAT} chunk of tenant ${tenantId}`);
        }
        metas.push(meta);
      } catch (err) {
        onError(key, err);
      }
    });
    return metas;
  }
}
