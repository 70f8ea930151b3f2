import { ErrorCode } from '../../errors/error-codes';
import type { Backend, BackendCallOptions } from './backend';

export class PoolQueueFullError extends Error {
  readonly code = ErrorCode.POOL_FULL;
}

export interface BackendPoolOptions {
  /** Operations running against the inner backend at once (Tempo's `pool.max_workers`). */
  maxWorkers: number;
  /** Operations allowed to wait for a free worker (Tempo's `pool.queue_depth`). */
  queueDepth: number;
}

interface Waiting {
  start: () => void;
}

type Operation<T> = (options: BackendCallOptions) => Promise<T>;

/**
 * Bounds how much work reaches the backend at once. Past the queue depth an operation is
 * refused straight away, so an overloaded store sheds load instead of piling up memory and
 * latency behind a slow disk or object store. An aborted call leaves the queue at once, so a
 * cancelled query does not hold a place in line.
 */
export class BackendPool implements Backend {
  private active = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly inner: Backend,
    private readonly options: BackendPoolOptions,
  ) {
    if (!(options.maxWorkers >= 1)) throw new RangeError('maxWorkers must be at least 1');
    if (!(options.queueDepth >= 0)) throw new RangeError('queueDepth must not be negative');
  }

  /** Operations currently running against the inner backend. */
  get inFlight(): number {
    return this.active;
  }

  /** Operations waiting for a worker. */
  get queued(): number {
    return this.waiting.length;
  }

  read(key: string, options: BackendCallOptions = {}): Promise<Buffer | undefined> {
    return this.run(options, (o) => this.inner.read(key, o));
  }

  readRange(key: string, offset: number, length: number, options: BackendCallOptions = {}): Promise<Buffer> {
    return this.run(options, (o) => this.inner.readRange(key, offset, length, o));
  }

  write(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options: BackendCallOptions = {},
  ): Promise<void> {
    return this.run(options, (o) => this.inner.write(key, data, o));
  }

  writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options: BackendCallOptions = {},
  ): Promise<boolean> {
    return this.run(options, (o) => this.inner.writeIfAbsent(key, data, o));
  }

  list(prefix: string, options: BackendCallOptions = {}): Promise<string[]> {
    return this.run(options, (o) => this.inner.list(prefix, o));
  }

  delete(keyOrPrefix: string, options: BackendCallOptions = {}): Promise<void> {
    return this.run(options, (o) => this.inner.delete(keyOrPrefix, o));
  }

  private run<T>(options: BackendCallOptions, operation: Operation<T>): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.options.maxWorkers) return this.execute(options, operation);
    if (this.waiting.length >= this.options.queueDepth) {
      return Promise.reject(
        new PoolQueueFullError(
          `backend pool full: ${this.active} running, ${this.waiting.length} queued (queue depth ${this.options.queueDepth})`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.execute(options, operation).then(resolve, reject);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private async execute<T>(options: BackendCallOptions, operation: Operation<T>): Promise<T> {
    this.active++;
    try {
      return await operation(options);
    } finally {
      this.active--;
      // The freed worker goes straight to the oldest waiter, keeping order fair.
      this.waiting.shift()?.start();
    }
  }
}
