import type { Backend } from './backend';

export class PoolQueueFullError extends Error {
  readonly code = 'LOUPE_ERR_POOL_FULL';
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

/**
 * Bounds how much work reaches the backend at once. Past the queue depth an operation is
 * refused straight away, so an overloaded store sheds load instead of piling up memory and
 * latency behind a slow disk or object store.
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

  read(key: string): Promise<Buffer | undefined> {
    return this.run(() => this.inner.read(key));
  }

  readRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.run(() => this.inner.readRange(key, offset, length));
  }

  write(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    return this.run(() => this.inner.write(key, data));
  }

  list(prefix: string): Promise<string[]> {
    return this.run(() => this.inner.list(prefix));
  }

  delete(keyOrPrefix: string): Promise<void> {
    return this.run(() => this.inner.delete(keyOrPrefix));
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.active < this.options.maxWorkers) return this.execute(operation);
    if (this.waiting.length >= this.options.queueDepth) {
      return Promise.reject(
        new PoolQueueFullError(
          `backend pool full: ${this.active} running, ${this.waiting.length} queued (queue depth ${this.options.queueDepth})`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ start: () => this.execute(operation).then(resolve, reject) });
    });
  }

  private async execute<T>(operation: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await operation();
    } finally {
      this.active--;
      // The freed worker goes straight to the oldest waiter, keeping order fair.
      this.waiting.shift()?.start();
    }
  }
}
