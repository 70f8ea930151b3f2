/**
 * A querier's blocklist lags the bucket by up to one `blocklist_poll`: a block it lists may
 * have been compacted and deleted since (a compactor whose `compacted_block_retention` is
 * shorter than the poll) or expired. A read of such a block fails; the query then polls the
 * bucket and runs again, once, instead of answering with an error or a partial trace.
 */
export interface StaleBlocks {
  /** True when the block's meta.json is gone from the bucket. */
  isGone(tenantId: string, blockId: string): Promise<boolean>;
  /** Brings the blocklist up to date with the bucket (one poll at a time). */
  refresh(): Promise<void>;
}

/** A read of one block failed; says which block, keeps the cause. */
export class BlockReadError extends Error {
  constructor(
    readonly tenantId: string,
    readonly blockId: string,
    cause: unknown,
  ) {
    super(`reading block ${tenantId}/${blockId} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

/** Runs `query`; when it failed on a block that is gone from the bucket, refreshes and runs it once more. */
export async function retryIfBlockGone<T>(
  stale: StaleBlocks | undefined,
  query: () => Promise<T>,
): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (!stale || !(err instanceof BlockReadError) || !(await stale.isGone(err.tenantId, err.blockId)))
      throw err;
    await stale.refresh();
    return query();
  }
}
