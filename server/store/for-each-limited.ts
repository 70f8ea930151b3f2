/**
 * Runs `task` on every item with at most `concurrency` in flight (loading block and chunk metas
 * at start-up: a backend read each, too many at once for S3 or the file descriptor limit). Once a
 * task fails no new one starts, and the first error is thrown only after the tasks under way have
 * settled, so none of them still runs behind the caller's back (a cleanup that deletes what they
 * write, say).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      try {
        await task(items[next++]);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw failure.err;
}
