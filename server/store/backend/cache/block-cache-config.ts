import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../../config-reader/config-values';
import type { ConfigGetter } from '../../../config-reader/types';

/** `storage.trace.block_cache` (Loupe's own keys; Tempo's `cache` section is ignored). */
export interface BlockCacheConfig {
  /** Bytes the memory tier holds at most; 0 turns it off (every lookup then reads index and bloom). */
  maxMemoryBytes: number;
  /** The local-disk tier's folder, absolute; '' for none. */
  diskPath: string;
  /** Bytes the disk tier holds at most. */
  maxDiskBytes: number;
}

export const BLOCK_CACHE_DEFAULTS: BlockCacheConfig = {
  maxMemoryBytes: 256 * 1024 * 1024,
  diskPath: '',
  maxDiskBytes: 10 * 1024 * 1024 * 1024,
};

const KEY = 'storage.trace.block_cache';

/**
 * The section as the file gives it, defaults filled in; undefined when the file sets none of its
 * keys (the built config then shows only what the file said; `BLOCK_CACHE_DEFAULTS` apply).
 * Throws a `ConfigError` for a disk folder that overlaps the blocks root or the WAL.
 */
export function readBlockCacheConfig(
  get: ConfigGetter,
  folders: { localPath?: string; walPath: string },
): BlockCacheConfig | undefined {
  const maxMemoryBytes = get<number | undefined>(`${KEY}.max_memory_bytes`, undefined);
  const diskPath = get<string | undefined>(`${KEY}.disk_path`, undefined);
  const maxDiskBytes = get<number | undefined>(`${KEY}.max_disk_bytes`, undefined);
  if (maxMemoryBytes === undefined && diskPath === undefined && maxDiskBytes === undefined) return undefined;
  const config: BlockCacheConfig = {
    maxMemoryBytes: maxMemoryBytes ?? BLOCK_CACHE_DEFAULTS.maxMemoryBytes,
    diskPath: diskPath?.trim() ? resolve(diskPath.trim()) : '',
    maxDiskBytes: maxDiskBytes ?? BLOCK_CACHE_DEFAULTS.maxDiskBytes,
  };
  if (config.diskPath) checkOwnFolder(config.diskPath, folders);
  return config;
}

/**
 * The cache folder must be its own: inside the blocks root it would be listed as a tenant,
 * inside the WAL replayed; and the cache removes files it finds there (old temporary files,
 * evictions), which must never be someone else's.
 */
function checkOwnFolder(diskPath: string, folders: { localPath?: string; walPath: string }): void {
  const nested = (parent: string, child: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
  };
  const others = [
    ['storage.trace.local.path', folders.localPath],
    ['storage.trace.wal.path', folders.walPath],
  ] as const;
  for (const [key, other] of others) {
    if (other !== undefined && (nested(other, diskPath) || nested(diskPath, other))) {
      throw new ConfigError(
        `${KEY}.disk_path "${diskPath}" and ${key} "${other}" overlap: give the block cache a folder of its own`,
      );
    }
  }
}
