import { ErrorCode } from '../errors/error-codes';
import type { Backend } from './backend/backend';
import { blockObjectKey, blockPrefix, META_OBJECT } from './block-keys';
import type { Blocklist } from './blocklist';

export interface RetentionOptions {
  /** Blocks whose newest span ended more than this long before `now` are deleted. */
  retentionMs: number;
  now: number;
}

export interface ExpiredBlock {
  tenantId: string;
  blockId: string;
  endMs: number;
}

/** Some expired blocks could not be deleted; `deleted` lists those that were. */
export class RetentionError extends AggregateError {
  readonly code = ErrorCode.RETENTION;

  constructor(
    errors: Error[],
    readonly deleted: ExpiredBlock[],
  ) {
    super(errors, `retention could not delete ${errors.length} block(s); deleted ${deleted.length}`);
  }
}

/**
 * Deletes blocks past retention and returns them. Each block leaves the blocklist before any
 * object goes, so a query never picks a half-deleted block; on the backend meta.json goes first,
 * so a crash mid-delete leaves an invisible directory, not a listed block missing its data.
 * Failures do not stop the run: the other blocks are still deleted, then a RetentionError
 * reports them. A block whose meta.json could not be deleted is intact and goes back into the
 * blocklist, so the next run retries it.
 */
export async function applyRetention(
  backend: Backend,
  blocklist: Blocklist,
  options: RetentionOptions,
): Promise<ExpiredBlock[]> {
  const cutoff = options.now - options.retentionMs;
  const deleted: ExpiredBlock[] = [];
  const errors: Error[] = [];
  for (const tenantId of blocklist.tenantIds()) {
    for (const { meta, reader, search } of blocklist.blocks(tenantId)) {
      if (meta.endMs >= cutoff) continue;
      const block = `${tenantId}/${meta.blockId}`;
      blocklist.remove(tenantId, meta.blockId);
      try {
        await backend.delete(blockObjectKey(tenantId, meta.blockId, META_OBJECT));
      } catch (err) {
        blocklist.add(meta, reader, search);
        errors.push(new Error(`could not delete ${block}/meta.json`, { cause: err }));
        continue;
      }
      try {
        await backend.delete(blockPrefix(tenantId, meta.blockId));
      } catch (err) {
        // Already invisible (no meta.json); only its space is not reclaimed yet.
        errors.push(new Error(`could not delete the objects of ${block}`, { cause: err }));
      }
      deleted.push({ tenantId, blockId: meta.blockId, endMs: meta.endMs });
    }
  }
  if (errors.length > 0) throw new RetentionError(errors, deleted);
  return deleted;
}
