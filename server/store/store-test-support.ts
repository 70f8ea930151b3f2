import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach } from 'vitest';
import { splitTracesByTraceId } from '../otlp/split-traces';
import type { Backend, BackendCallOptions } from './backend/backend';
import { LocalBackend } from './backend/local-backend';
import type { S3Options } from './backend/s3-client';
import { buildBlock, writeBlock } from './block-writer';
import type { BuiltBlock } from './encoding/block-format';
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

/** Builds a block of `traces` (bloom shards of 1 KiB) and writes it to `backend`. */
export async function writeTestBlock(
  backend: Backend,
  tenantId: string,
  blockId: string,
  traces: TraceRecord[],
): Promise<BuiltBlock> {
  const built = buildBlock({
    tenantId,
    blockId,
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 1024,
  });
  await writeBlock(backend, built);
  return built;
}

/** One trace of a set of OTLP requests, as a block holds it. */
export interface WholeTrace {
  /** The trace ID as hex. */
  key: string;
  /** The trace's fragments joined, its span counts summed, from the earliest start to the latest end. */
  record: TraceRecord;
  /** The fragments' data, in request order: what `record.data` joins. */
  parts: Buffer[];
}

/** The traces of `requests`, split by trace ID and each put back together; sorted by ID. */
export function wholeTraces(requests: readonly Uint8Array[]): WholeTrace[] {
  const byKey = new Map<
    string,
    { traceId: Buffer; parts: Buffer[]; spanCount: number; startMs: number; endMs: number }
  >();
  for (const request of requests) {
    for (const f of splitTracesByTraceId(request).fragments) {
      const p = byKey.get(f.key) ?? {
        traceId: f.traceId,
        parts: [],
        spanCount: 0,
        startMs: f.startMs,
        endMs: f.endMs,
      };
      p.parts.push(f.data);
      p.spanCount += f.spanCount;
      p.startMs = Math.min(p.startMs, f.startMs);
      p.endMs = Math.max(p.endMs, f.endMs);
      byKey.set(f.key, p);
    }
  }
  return [...byKey.keys()].sort().map((key) => {
    const { parts, ...record } = byKey.get(key)!;
    return { key, parts, record: { ...record, data: Buffer.concat(parts), truncated: false } };
  });
}

/** Newest start first, ties by trace ID: the order search answers in (a comparator for `sort`). */
export function newestFirst(
  a: { startUnixNano: bigint; traceId: string },
  b: { startUnixNano: bigint; traceId: string },
): number {
  return a.startUnixNano === b.startUnixNano
    ? a.traceId < b.traceId
      ? -1
      : 1
    : a.startUnixNano > b.startUnixNano
      ? -1
      : 1;
}

export type WriteEvent = { at: 'start' | 'end' | 'fail'; key: string };

/**
 * Wraps a backend and logs when each write starts and ends, so the order of completions (not
 * only of calls) can be checked. A write of a key `fail` picks throws ("disk full") after it
 * starts; with `delayMs`, the `n`th write (from 0) first waits `delayMs(n)` ms.
 */
export function loggingWrites(
  inner: Backend,
  { fail, delayMs }: { fail?: (key: string) => boolean; delayMs?: (n: number) => number } = {},
): { backend: Backend; events: WriteEvent[] } {
  const events: WriteEvent[] = [];
  let calls = 0;
  const backend: Backend = {
    read: (key, o) => inner.read(key, o),
    readRange: (key, offset, length, o) => inner.readRange(key, offset, length, o),
    list: (prefix, o) => inner.list(prefix, o),
    delete: (key, o) => inner.delete(key, o),
    writeIfAbsent: (key, data, o) => inner.writeIfAbsent(key, data, o),
    async write(key, data, o) {
      events.push({ at: 'start', key });
      const n = calls++;
      if (delayMs) await delay(delayMs(n));
      if (fail?.(key)) {
        events.push({ at: 'fail', key });
        throw new Error(`disk full writing ${key}`);
      }
      await inner.write(key, data, o);
      events.push({ at: 'end', key });
    },
  };
  return { backend, events };
}

/** S3 options for a scripted endpoint listening on loopback (`server`), with static test credentials. */
export function loopbackS3Options(server: Server, overrides: Partial<S3Options> = {}): S3Options {
  return {
    bucket: 'b',
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    accessKey: 'k',
    secretKey: 's',
    insecure: true,
    forcePathStyle: false,
    prefix: '',
    partSizeBytes: 5 * 1024 * 1024,
    ...overrides,
  };
}
