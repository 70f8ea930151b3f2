import { ErrorCode } from '../../errors/error-codes';

/** What every backend call can take besides its key. */
export interface BackendCallOptions {
  /**
   * Gives up on the call: it rejects with the signal's reason (an `AbortError` by default).
   * Honoured before the call starts and between its steps, so a cancelled query stops costing
   * I/O; a step already done stays done (a write renamed into place is not undone).
   */
  signal?: AbortSignal;
}

/**
 * Object storage as blocks see it. Keys are `/`-separated paths relative to the backend root
 * (`<tenant>/<blockId>/meta.json`); every implementation must refuse keys that could escape
 * the root (`..`, `.`, empty segments, NUL, backslash) with a `BackendKeyError`.
 * `describeBackendContract` (backend-contract.ts) is the test suite every implementation passes.
 */
export interface Backend {
  /** Whole object, or undefined when it does not exist. */
  read(key: string, options?: BackendCallOptions): Promise<Buffer | undefined>;
  /**
   * `length` bytes from `offset`. Throws a `RangeError` when the range is negative or runs past
   * the end of the object, and an error when the object is missing.
   */
  readRange(key: string, offset: number, length: number, options?: BackendCallOptions): Promise<Buffer>;
  /** Writes atomically: readers see the old object, or the whole new one. */
  write(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions): Promise<void>;
  /**
   * Creates the object only when nothing exists at `key`, atomically even against writers in other
   * processes: true when this call created it, false when an object was already there (it is
   * never overwritten). What leases and other "first writer wins" records are built on.
   */
  writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    options?: BackendCallOptions,
  ): Promise<boolean>;
  /** Names of the immediate children under a prefix (like S3's delimiter listing); [] when none. */
  list(prefix: string, options?: BackendCallOptions): Promise<string[]>;
  /** Deletes an object, or everything under a prefix ending in `/`. Missing is not an error. */
  delete(keyOrPrefix: string, options?: BackendCallOptions): Promise<void>;
}

/** The part of a pino logger a backend may use. */
export interface BackendLogger {
  warn(details: object, message: string): void;
}

export class BackendKeyError extends Error {
  readonly code = ErrorCode.BACKEND_KEY;
}
