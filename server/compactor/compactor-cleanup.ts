import { blockObjectKey, blockPrefix, META_OBJECT } from '../store/block-keys';
import { notLoupeLeftover } from '../store/blocklist-foreign';
import type { CompactorDeps } from './compactor-deps';

/**
 * What a compaction cycle deletes once it is done compacting: the blocks compactions replaced,
 * and the folders a crash left without meta.json. Both only past `compacted_block_retention`, and
 * only what Loupe wrote: the blocklist never lists a block of another format (Tempo's, in a shared
 * bucket), and a folder without meta.json holding anything Loupe never writes is left alone.
 */

type CleanupDeps = Pick<CompactorDeps, 'backend' | 'blocklist' | 'config' | 'logger' | 'metrics'>;

/** Deletes compacted blocks past their retention: meta.json first (invisible), then the rest. */
export async function deleteCompactedBlocks(deps: CleanupDeps, now: number): Promise<number> {
  const { backend, blocklist, config, logger, metrics } = deps;
  let deleted = 0;
  for (const tenantId of blocklist.tenantIdsWithCompacted()) {
    for (const { entry, since } of blocklist.compactedBlocks(tenantId)) {
      if (since + config.compactedBlockRetentionMs > now) continue;
      const { blockId } = entry.meta;
      try {
        await backend.delete(blockObjectKey(tenantId, blockId, META_OBJECT));
        await backend.delete(blockPrefix(tenantId, blockId));
        blocklist.forgetCompacted(tenantId, blockId);
        metrics?.compactedBlocksDeleted.inc();
        deleted++;
      } catch (err) {
        logger.warn({ err, tenant: tenantId, blockId }, 'could not delete a compacted block');
      }
    }
  }
  return deleted;
}

/**
 * Deletes block directories that had no meta.json when the store was loaded and still have
 * none `compacted_block_retention` later: left by a crash mid-write (a write under way takes
 * seconds, not an hour). A directory that gained its meta.json meanwhile is a block: left alone.
 * So is one holding anything Loupe never writes (Tempo's compacted block, whose meta.json became
 * `meta.compacted.json`, in a shared bucket): logged once, at warn, with what it holds.
 */
export async function deleteHalfWrittenBlocks(deps: CleanupDeps, now: number): Promise<number> {
  const { backend, blocklist, config, logger } = deps;
  let deleted = 0;
  for (const { tenantId, blockId, seenAt } of blocklist.incompleteBlocks()) {
    if (seenAt + config.compactedBlockRetentionMs > now) continue;
    try {
      if (!(await backend.read(blockObjectKey(tenantId, blockId, META_OBJECT)))) {
        const notLoupe = await notLoupeLeftover(backend, tenantId, blockId);
        if (notLoupe === undefined) {
          await backend.delete(blockPrefix(tenantId, blockId));
          deleted++;
          logger.info({ tenant: tenantId, blockId }, 'deleted a block left half-written');
        } else {
          logger.warn(
            { tenant: tenantId, blockId },
            `leaving alone folder ${tenantId}/${blockId}: ${notLoupe}`,
          );
        }
      }
      // Checked once: a block that gained its meta.json, a folder deleted or one left alone.
      blocklist.forgetIncomplete(tenantId, blockId);
    } catch (err) {
      logger.warn({ err, tenant: tenantId, blockId }, 'could not delete a half-written block');
    }
  }
  return deleted;
}
