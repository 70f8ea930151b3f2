/**
 * Object storage as blocks see it. Keys are `/`-separated paths relative to the backend root
 * (`<tenant>/<blockId>/meta.json`); every implementation must refuse keys that could escape
 * the root (`..`, `.`, empty segments, NUL, backslash) with a `BackendKeyError`.
 */
export interface Backend {
  /** Whole object, or undefined when it does not exist. */
  read(key: string): Promise<Buffer | undefined>;
  /** `length` bytes from `offset`; throws when the object is missing or shorter. */
  readRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** Writes atomically: readers see the old object, or the whole new one. */
  write(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /** Names of the immediate children under a prefix (like S3's delimiter listing). */
  list(prefix: string): Promise<string[]>;
  /** Deletes an object, or everything under a prefix ending in `/`. Missing is not an error. */
  delete(keyOrPrefix: string): Promise<void>;
}

export class BackendKeyError extends Error {
  readonly code = 'LOUPE_ERR_BACKEND_KEY';
}
