/**
 * Runs `task` on every item with at most `concurrency` in flight (loading block and chunk metas
 * at start-up: a backend read each, too many at once for S3 or the file descriptor limit).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
