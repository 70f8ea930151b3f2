import { METRICS_PREFIX } from '../../store/backend/prefixes';

/** A stored chunk of a tenant's samples: `@metrics/<tenant>/<first ms>-<cut ms>.chunk`. */
export interface ChunkRef {
  key: string;
  minMs: number;
  maxMs: number;
}

/** The chunk holding a tenant's samples from `firstMs`, cut at `cutMs` (zero-padded: names sort by time). */
export function newChunkRef(tenantId: string, firstMs: number, cutMs: number): ChunkRef {
  const name = `${String(firstMs).padStart(15, '0')}-${String(cutMs).padStart(15, '0')}.chunk`;
  return { key: `${METRICS_PREFIX}/${tenantId}/${name}`, minMs: firstMs, maxMs: cutMs };
}

/** The chunk an object name `<first ms>-<cut ms>.chunk` stands for, or undefined for anything else. */
export function parseChunkName(tenantId: string, name: string): ChunkRef | undefined {
  const match = /^(\d+)-(\d+)\.chunk$/.exec(name);
  if (!match) return undefined;
  return { key: `${METRICS_PREFIX}/${tenantId}/${name}`, minMs: Number(match[1]), maxMs: Number(match[2]) };
}
