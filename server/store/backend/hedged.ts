/** Tempo's `hedge_requests_at` / `hedge_requests_up_to`: when a read is slow, ask again. */
export interface HedgeOptions {
  /** Start another attempt each time this long has passed without an answer; 0: never. */
  atMs: number;
  /** Attempts in all, the first included (Tempo's default: 2). */
  upTo: number;
  /** The caller's signal: aborting it aborts every attempt. */
  signal?: AbortSignal;
  /** Told each time a hedge starts (for `/metrics`). */
  onHedge?: () => void;
}

/**
 * `run` once and, while it has not answered, again every `atMs`, up to `upTo` attempts: the first
 * answer wins and the others are aborted through their signals. A tail request stalled in the
 * store or on the network then costs `atMs` plus one ordinary request. An attempt that fails ends
 * the read with its error once no other attempt is still running (the attempts have their own
 * retries; hedging is about slowness, not failure).
 */
export function hedged<T>(run: (signal: AbortSignal) => Promise<T>, options: HedgeOptions): Promise<T> {
  const { atMs, upTo, signal } = options;
  if (atMs <= 0 || upTo <= 1) return run(signal ?? new AbortController().signal);
  return new Promise<T>((resolve, reject) => {
    const attempts: AbortController[] = [];
    let running = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** Ends the read; every attempt but the winner (if any) is aborted. */
    const settle = (winner?: AbortController) => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const attempt of attempts) if (attempt !== winner) attempt.abort();
    };
    const onAbort = () => {
      if (settled) return;
      settle();
      reject(signal?.reason);
    };
    const start = () => {
      const attempt = new AbortController();
      attempts.push(attempt);
      running++;
      run(attempt.signal).then(
        (value) => {
          if (settled) return;
          settle(attempt);
          resolve(value);
        },
        (err: unknown) => {
          running--;
          if (settled || running > 0) return;
          settle();
          reject(err);
        },
      );
      if (attempts.length < upTo) {
        timer = setTimeout(() => {
          if (settled) return;
          options.onHedge?.();
          start();
        }, atMs);
      }
    };
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    start();
  });
}
