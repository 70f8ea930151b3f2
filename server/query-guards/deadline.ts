import { setImmediate as nextTurn } from 'node:timers/promises';
import { ErrorCode } from '../errors/error-codes';

/**
 * A query's time budget, and its manners on a shared event loop.
 *
 * Loupe answers queries and acknowledges ingest on one thread, so a query must neither run past
 * its deadline nor hold the thread for long at a stretch. Long loops call `spend(units)` (cheap:
 * a counter, and a clock read every `CHECK_EVERY_UNITS`); when it returns true, their time slice
 * is over and they `await pause()`, which lets ingest, `/ready` and other queries run, and throws
 * `QueryTimeoutError` once the deadline has passed or the client has gone away.
 *
 * Invariant: between two `pause()` calls a loop spends at most `sliceMs` plus the work of
 * `CHECK_EVERY_UNITS` units. Units are what the loop measures its work in (lines scanned, bytes
 * matched, series visited); each unit must be bounded in time, which linear-time regexes
 * (`compileUserRegex`) and capped line lengths make true.
 */
export class QueryDeadline {
  /** How much work passes between clock reads: a read costs ~50 ns, a line test ~0.1–1 µs. */
  static readonly CHECK_EVERY_UNITS = 4096;

  private readonly endsAt: number;
  private sliceEndsAt: number;
  private units = 0;

  /**
   * @param timeoutMs the query's whole budget (Loki's and Prometheus's `query_timeout`)
   * @param signal aborted when the client disconnects: the work stops at the next pause
   * @param sliceMs how long a loop may hold the event loop before pausing
   */
  constructor(
    readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    private readonly sliceMs = 20,
  ) {
    const now = performance.now();
    this.endsAt = now + timeoutMs;
    this.sliceEndsAt = now + sliceMs;
  }

  /** A budget that never runs out and never pauses: for internal callers and tests. */
  static unbounded(): QueryDeadline {
    return new QueryDeadline(Number.POSITIVE_INFINITY, undefined, Number.POSITIVE_INFINITY);
  }

  /**
   * Counts `units` of work; true when the slice (or the whole budget) is over and the caller
   * should `await pause()`.
   */
  spend(units = 1): boolean {
    this.units += units;
    if (this.units < QueryDeadline.CHECK_EVERY_UNITS) return false;
    this.units = 0;
    const now = performance.now();
    return now >= this.sliceEndsAt || now >= this.endsAt;
  }

  /** Yields the event loop for one turn, then throws if the query is out of time or abandoned. */
  async pause(): Promise<void> {
    await nextTurn();
    this.check();
    this.sliceEndsAt = performance.now() + this.sliceMs;
  }

  /**
   * Runs `work(from, to)` over `[0, count)` a chunk of `chunk` items at a time, pausing between
   * chunks as `spend` asks. Each item is a unit, plus any units `work` returns (work it did
   * beyond one unit an item). The loop inside `work` is plain synchronous code, which V8
   * optimizes better than a loop with an `await` in its body.
   */
  async inChunks(count: number, work: (from: number, to: number) => unknown, chunk = 1024): Promise<void> {
    let extra = 0;
    for (let from = 0; from < count; from += chunk) {
      const to = Math.min(count, from + chunk);
      if (this.spend(to - from + extra)) await this.pause();
      const done = work(from, to);
      extra = typeof done === 'number' ? done : 0;
    }
    if (extra > 0 && this.spend(extra)) await this.pause();
  }

  /** For coarse loops whose every turn is heavy (a PromQL step): pause if the slice is over. */
  async checkpoint(): Promise<void> {
    this.units = 0;
    const now = performance.now();
    if (now >= this.sliceEndsAt || now >= this.endsAt) await this.pause();
  }

  /** Throws `QueryTimeoutError` if the deadline has passed or the client has gone away. */
  check(): void {
    if (this.signal?.aborted) throw new QueryCancelledError();
    if (performance.now() >= this.endsAt) throw new QueryTimeoutError(this.timeoutMs);
  }

  /**
   * `work`'s outcome, or `QueryTimeoutError` at the deadline (`QueryCancelledError` when the
   * client goes), whichever comes first: the answer is on time even while the work waits on
   * something that does not pause, such as a read from a slow object store. The work itself
   * goes on until its next `pause()` (or its read) ends it; its outcome is then dropped.
   */
  within<T>(work: Promise<T>): Promise<T> {
    if (!Number.isFinite(this.endsAt) && !this.signal) return work;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => settle(() => reject(new QueryCancelledError()));
      const settle = (done: () => void) => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        done();
      };
      // Handled whatever happens first, so a late failure of the work is never an unhandled rejection.
      work.then(
        (value) => settle(() => resolve(value)),
        (err: unknown) => settle(() => reject(err)),
      );
      if (this.signal?.aborted) return onAbort();
      this.signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(this.endsAt)) {
        const left = Math.max(0, this.endsAt - performance.now());
        timer = setTimeout(() => settle(() => reject(new QueryTimeoutError(this.timeoutMs))), left);
      }
    });
  }
}

/**
 * A query that ran out of its `query_timeout`. 503 is what Prometheus answers (`errorType`
 * `timeout`); the logs and traces APIs answer 504, as Loki's and Tempo's gateways do.
 */
export class QueryTimeoutError extends Error {
  readonly code = ErrorCode.QUERY_TIMEOUT;
  readonly statusCode: number = 504;
  constructor(readonly timeoutMs: number) {
    super(
      `query timed out after ${formatMs(timeoutMs)} (query_timeout): narrow the time range or the selector, or make the filter more selective`,
    );
  }
}

/** The client went away: nobody is waiting for the answer, so the work stops. 499 as nginx logs it. */
export class QueryCancelledError extends Error {
  readonly code = ErrorCode.QUERY_CANCELLED;
  readonly statusCode = 499;
  constructor() {
    super('query cancelled: the client closed the connection');
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * An AbortSignal that fires when the request's client disconnects before the answer is sent, so
 * a search nobody waits for stops at its next pause.
 */
export function clientGoneSignal(raw: {
  once(event: 'close', listener: () => void): unknown;
  readonly writableEnded?: boolean;
}): AbortSignal {
  const controller = new AbortController();
  raw.once('close', () => {
    if (!raw.writableEnded) controller.abort();
  });
  return controller.signal;
}
