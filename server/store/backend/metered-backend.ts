import type { Counter, Histogram } from 'prom-client';
import type { Backend, BackendCallOptions } from './backend';

/** The self-metrics a metered backend feeds (`SelfMetrics` has them). */
export interface BackendMetrics {
  backendRequests: Counter<'operation' | 'outcome'>;
  backendBytes: Counter<'operation'>;
  backendSeconds: Histogram<'operation'>;
  /** S3 GETs sent again by `hedge_requests_at` (the S3 backend counts them itself). */
  backendHedgedRequests?: Counter;
}

type Operation = 'read' | 'read_range' | 'write' | 'write_if_absent' | 'list' | 'delete';

/**
 * Counts every call to the backend below it, by operation and outcome (`ok`, `missing` for a
 * read of an absent object, `aborted`, `error`), with bytes read and written and each call's
 * time: what an operator needs to see an object store failing, slow or costly.
 */
export class MeteredBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly metrics: BackendMetrics,
  ) {}

  read(key: string, options?: BackendCallOptions): Promise<Buffer | undefined> {
    return this.measure(
      'read',
      options,
      () => this.inner.read(key, options),
      (data) => data?.length ?? 0,
    );
  }

  readRange(key: string, offset: number, length: number, options?: BackendCallOptions): Promise<Buffer> {
    return this.measure(
      'read_range',
      options,
      () => this.inner.readRange(key, offset, length, options),
      (data) => data.length,
    );
  }

  write(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions): Promise<void> {
    const bytes = data instanceof Uint8Array ? data.length : data.reduce((n, chunk) => n + chunk.length, 0);
    return this.measure(
      'write',
      options,
      () => this.inner.write(key, data, options),
      () => bytes,
    );
  }

  /** Bytes count only when the object was created; a refused create is still an `ok` call. */
  writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options?: BackendCallOptions,
  ): Promise<boolean> {
    const bytes = data instanceof Uint8Array ? data.length : data.reduce((n, chunk) => n + chunk.length, 0);
    return this.measure(
      'write_if_absent',
      options,
      () => this.inner.writeIfAbsent(key, data, options),
      (created) => (created ? bytes : 0),
    );
  }

  list(prefix: string, options?: BackendCallOptions): Promise<string[]> {
    return this.measure(
      'list',
      options,
      () => this.inner.list(prefix, options),
      () => 0,
    );
  }

  delete(keyOrPrefix: string, options?: BackendCallOptions): Promise<void> {
    return this.measure(
      'delete',
      options,
      () => this.inner.delete(keyOrPrefix, options),
      () => 0,
    );
  }

  private async measure<T>(
    operation: Operation,
    options: BackendCallOptions | undefined,
    call: () => Promise<T>,
    bytesOf: (result: T) => number,
  ): Promise<T> {
    const stop = this.metrics.backendSeconds.startTimer({ operation });
    try {
      const result = await call();
      const bytes = bytesOf(result);
      if (bytes > 0) this.metrics.backendBytes.inc({ operation }, bytes);
      this.metrics.backendRequests.inc({
        operation,
        outcome: result === undefined && operation === 'read' ? 'missing' : 'ok',
      });
      return result;
    } catch (err) {
      this.metrics.backendRequests.inc({
        operation,
        outcome: options?.signal?.aborted ? 'aborted' : 'error',
      });
      throw err;
    } finally {
      stop();
    }
  }
}
