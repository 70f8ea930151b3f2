import { BackendKeyError } from './backend';

/**
 * Checks a backend key (or, with `isPrefix`, a prefix that may end in `/`) and returns its
 * segments. Every backend refuses the same keys (`REFUSED_KEYS` in backend-contract.ts): empty
 * ones, empty, `.` or `..` segments, NUL and backslash. On a filesystem these would reach outside
 * the root; on an object store they would name objects no other backend could, so a bucket
 * written by one Loupe stays readable by another whatever its backend.
 */
export function keySegments(key: string, isPrefix = false): string[] {
  const trimmed = isPrefix && key.endsWith('/') ? key.slice(0, -1) : key;
  if (trimmed === '') throw new BackendKeyError('empty key');
  if (trimmed.includes('\0') || trimmed.includes('\\')) {
    throw new BackendKeyError(`key contains NUL or backslash: ${JSON.stringify(key)}`);
  }
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new BackendKeyError(`invalid key segment ${JSON.stringify(segment)} in ${JSON.stringify(key)}`);
    }
  }
  return segments;
}

/** Every backend's `readRange` refuses a negative or fractional range before any I/O. */
export function checkRange(key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid range ${offset}+${length} for ${key}`);
  }
}
