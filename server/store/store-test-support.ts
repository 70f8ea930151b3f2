import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Backend, BackendCallOptions } from './backend/backend';
import { LocalBackend } from './backend/local-backend';
import type { TraceRecord } from './types';

/** Helpers shared by the store's tests. */

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function randomTraceId(random: () => number): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < 16; i++) id[i] = Math.floor(random() * 256);
  return id;
}

/**
 * `count` traces sorted by ID with opaque payloads of 1–`maxBytes` bytes; every fifth is truncated.
 * Payload bytes repeat a little, like real protobuf, so pages compress.
 */
export function makeTraces(count: number, seed = 1, maxBytes = 4000): TraceRecord[] {
  const random = seededRandom(seed);
  const traces: TraceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(1 + Math.floor(random() * maxBytes));
    for (let j = 0; j < data.length; j++) data[j] = random() < 0.5 ? j & 0x3f : Math.floor(random() * 256);
    const startMs = 1_700_000_000_000 + Math.floor(random() * 3_600_000);
    traces.push({
      traceId: randomTraceId(random),
      data,
      spanCount: 1 + Math.floor(random() * 50),
      startMs,
      endMs: startMs + Math.floor(random() * 10_000),
      truncated: i % 5 === 0,
    });
  }
  return traces.sort((a, b) => Buffer.compare(a.traceId, b.traceId));
}

export async function tempBackend(): Promise<{ backend: LocalBackend; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-store-'));
  return { backend: new LocalBackend(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh local backend for each test of the calling file, removed after it: call at the top
 * level of a test file and read `.backend` inside tests.
 */
export function freshBackendPerTest(): { readonly backend: LocalBackend } {
  const current: { backend: LocalBackend; cleanup?: () => Promise<void> } = {} as never;
  beforeEach(async () => {
    const made = await tempBackend();
    current.backend = made.backend;
    current.cleanup = made.cleanup;
  });
  afterEach(async () => {
    await current.cleanup?.();
  });
  return current;
}

/** Wraps a backend and records every call, to assert how much I/O an operation costs. */
export class CountingBackend implements Backend {
  readonly calls: { op: keyof Backend; key: string }[] = [];

  constructor(private readonly inner: Backend) {}

  count(op: keyof Backend): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  reset(): void {
    this.calls.length = 0;
  }

  read(key: string, options?: BackendCallOptions) {
    this.calls.push({ op: 'read', key });
    return this.inner.read(key, options);
  }

  readRange(key: string, offset: number, length: number, options?: BackendCallOptions) {
    this.calls.push({ op: 'readRange', key });
    return this.inner.readRange(key, offset, length, options);
  }

  write(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions) {
    this.calls.push({ op: 'write', key });
    return this.inner.write(key, data, options);
  }

  writeIfAbsent(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions) {
    this.calls.push({ op: 'writeIfAbsent', key });
    return this.inner.writeIfAbsent(key, data, options);
  }

  list(prefix: string, options?: BackendCallOptions) {
    this.calls.push({ op: 'list', key: prefix });
    return this.inner.list(prefix, options);
  }

  delete(keyOrPrefix: string, options?: BackendCallOptions) {
    this.calls.push({ op: 'delete', key: keyOrPrefix });
    return this.inner.delete(keyOrPrefix, options);
  }
}
