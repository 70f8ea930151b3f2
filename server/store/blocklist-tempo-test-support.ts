import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Backend } from './backend/backend';

/**
 * A tenant's objects as Tempo 2.x lays them out in its bucket, for tests of a bucket Loupe shares
 * with Tempo (`blocklist-foreign.ts`): a live vParquet4 block, a block Tempo compacted (its
 * meta.json renamed `meta.compacted.json`), Tempo's tenant indexes (JSON and protobuf) and its
 * cluster seed at the root. Field names are Tempo's (`tempodb/backend`'s BlockMeta and TenantIndex).
 */

export const TEMPO_BLOCK = '5b0e8c1a-2f4d-4e6b-9a7c-3d2e1f0a9b8c';
export const TEMPO_COMPACTED_BLOCK = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

const gzipAsync = promisify(gzip);

/** A meta.json as Tempo writes it; its traces ended in 2020, long past any retention. */
function tempoMeta(blockId: string, tenantId: string) {
  return {
    format: 'vParquet4',
    blockID: blockId,
    tenantID: tenantId,
    startTime: '2020-01-01T10:00:00Z',
    endTime: '2020-01-01T10:05:00Z',
    totalObjects: 120,
    size: 40_960,
    compactionLevel: 0,
    encoding: 'none',
    indexPageSize: 0,
    totalRecords: 1,
    dataEncoding: '',
    bloomShards: 1,
    footerSize: 2048,
  };
}

/** Writes Tempo's objects for `tenantId` (and the root's cluster seed); returns every key written. */
export async function writeTempoObjects(backend: Backend, tenantId: string): Promise<string[]> {
  const live = tempoMeta(TEMPO_BLOCK, tenantId);
  const compacted = { ...tempoMeta(TEMPO_COMPACTED_BLOCK, tenantId), compactedTime: '2020-01-01T11:00:00Z' };
  const parquet = Buffer.from('PAR1 row groups of spans PAR1');
  const objects: [string, Buffer][] = [
    [`${tenantId}/${TEMPO_BLOCK}/meta.json`, Buffer.from(JSON.stringify(live))],
    [`${tenantId}/${TEMPO_BLOCK}/data.parquet`, parquet],
    [`${tenantId}/${TEMPO_BLOCK}/bloom-0`, Buffer.from('bloom filter bits')],
    [`${tenantId}/${TEMPO_COMPACTED_BLOCK}/meta.compacted.json`, Buffer.from(JSON.stringify(compacted))],
    [`${tenantId}/${TEMPO_COMPACTED_BLOCK}/data.parquet`, parquet],
    [`${tenantId}/${TEMPO_COMPACTED_BLOCK}/bloom-0`, Buffer.from('bloom filter bits')],
    [
      `${tenantId}/index.json.gz`,
      await gzipAsync(
        JSON.stringify({ created_at: '2020-01-01T11:05:00Z', meta: [live], compacted: [compacted] }),
      ),
    ],
    [`${tenantId}/index.pb.zst`, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01])],
    ['tempo_cluster_seed.json', Buffer.from('{"UID":"3f6c1b2a","created_at":"2020-01-01T09:00:00Z"}')],
  ];
  for (const [key, data] of objects) await backend.write(key, data);
  return objects.map(([key]) => key);
}

/** The bytes of each key now (undefined: gone), to compare before and after. */
export async function snapshot(backend: Backend, keys: readonly string[]): Promise<Record<string, string>> {
  const bytes: Record<string, string> = {};
  for (const key of keys) bytes[key] = (await backend.read(key))?.toString('base64') ?? '(deleted)';
  return bytes;
}
