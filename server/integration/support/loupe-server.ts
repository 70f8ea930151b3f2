import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import type { LoupeConfig } from '../../config/types';
import { type RunningLoupe, type StartOptions, startLoupe } from '../../loupe';
import { tempDataDir, testConfig } from '../../testing/test-config';
import { postTraces } from './clients';

/**
 * Deep-partial config overrides. (`testConfig`'s own type does not reach into optional sections
 * such as `receivers.http`, so a limit there could not be set without repeating the whole section.)
 */
type DeepPartial<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends object ? DeepPartial<NonNullable<T[K]>> : T[K];
};
export type Overrides = DeepPartial<LoupeConfig>;

/** A Loupe started in this process on ephemeral loopback ports, with its addresses. */
export interface TestLoupe {
  loupe: RunningLoupe;
  config: LoupeConfig;
  dataDir: string;
  /** `http://127.0.0.1:<port>` of the query API. */
  api: string;
  /** `http://127.0.0.1:<port>` of the OTLP/HTTP receiver. */
  otlp: string;
  /** `127.0.0.1:<port>` of the OTLP/gRPC receiver. */
  grpc: string;
}

/** Starts Loupe on `dataDir` (a fresh one by default); restart = stop, then call again with the same dir. */
export async function startTestLoupe(
  overrides: Overrides = {},
  dataDir = tempDataDir('loupe-it-'),
  options: StartOptions = {},
): Promise<TestLoupe> {
  const config = testConfig(overrides as Parameters<typeof testConfig>[0], dataDir);
  const loupe = await startLoupe(config, pino({ level: 'silent' }), options);
  return {
    loupe,
    config,
    dataDir,
    api: `http://127.0.0.1:${loupe.ports.http}`,
    otlp: `http://127.0.0.1:${loupe.ports.otlpHttp}`,
    grpc: `127.0.0.1:${loupe.ports.otlpGrpc}`,
  };
}

/**
 * `ingester.flushAll()`, failing with a readable message instead of a test timeout when blocks
 * cannot be built or written (the ingester retries a failed block forever).
 */
export async function flushAll(server: TestLoupe, timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      const failures = await server.loupe.metrics.blockFlushFailures.get();
      const count = failures.values.reduce((n, v) => n + v.value, 0);
      reject(
        new Error(
          `flushAll did not finish within ${timeoutMs} ms (${count} failed block builds/writes so far)`,
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([server.loupe.ingester.flushAll(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `startTestLoupe` for tests that each start their own Loupe: the one a test started is stopped,
 * and its data dir removed, after the test. Call at the top level of a test file.
 */
export function oneLoupePerTest(): typeof startTestLoupe {
  let server: TestLoupe | undefined;
  afterEach(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
    server = undefined;
  });
  return async (...args) => {
    server = await startTestLoupe(...args);
    return server;
  };
}

export interface BlockOnDisk {
  tenantDir: string;
  blockDir: string;
  meta: { blockId: string; tenantId: string; totalSpans: number; totalTraces: number } & Record<
    string,
    unknown
  >;
}

/** Complete blocks (those with a meta.json) under a blocks root, by tenant folder. */
export function blocksOnDisk(blocksRoot: string): BlockOnDisk[] {
  if (!existsSync(blocksRoot)) return [];
  const out: BlockOnDisk[] = [];
  for (const tenantDir of readdirSync(blocksRoot)) {
    const tenantPath = join(blocksRoot, tenantDir);
    let blockDirs: string[];
    try {
      blockDirs = readdirSync(tenantPath);
    } catch {
      continue; // a file, not a tenant folder
    }
    for (const blockDir of blockDirs) {
      const metaPath = join(tenantPath, blockDir, 'meta.json');
      if (!existsSync(metaPath)) continue;
      out.push({ tenantDir, blockDir, meta: JSON.parse(readFileSync(metaPath, 'utf8')) });
    }
  }
  return out;
}

/**
 * Sends `requests` dealt round-robin into `batches` batches, each flushed into its own block
 * before the next: small requests make most traces span several blocks. Throws on a refusal.
 */
export async function ingestInBlocks(
  server: TestLoupe,
  requests: readonly Uint8Array[],
  batches: number,
): Promise<void> {
  for (let batch = 0; batch < batches; batch++) {
    for (let r = batch; r < requests.length; r += batches) {
      const { status } = await postTraces(server.otlp, requests[r]);
      if (status !== 200) throw new Error(`request ${r} answered ${status}`);
    }
    await flushAll(server);
  }
}
