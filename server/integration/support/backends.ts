import { basename, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe } from 'vitest';
import type { StartOptions } from '../../loupe';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../../testing/s3';
import { tempDataDir } from '../../testing/test-config';
import { s3TraceStorage, writeChildConfig } from './loupe-process';
import {
  type BlockOnDisk,
  blocksOnDisk,
  type Overrides,
  startTestLoupe,
  type TestLoupe,
} from './loupe-server';

/**
 * The trace suite on each storage backend: the local disk, and S3 (a real Ceph radosgw on
 * loopback, `scripts/start-s3.sh`). `describeEachBackend` runs a block of tests once per backend;
 * the tests start Loupe through the `TraceBackend` they are handed, so the same test reads and
 * writes its blocks on disk in one run and in a bucket in the other.
 *
 * On S3 a test file gets one fresh bucket (created on first use, dropped with everything in it
 * after the file), and each data directory its own prefix in it (the directory's name): as on
 * disk, a restart on the same data directory finds the same blocks, and a new one starts empty.
 * WALs stay on the local disk, as they do in a real deployment on S3.
 *
 * LOUPE_TEST_BACKENDS=local (or s3) runs one backend only, for a quicker loop while editing.
 */

export type BackendName = 'local' | 's3';

export interface TraceBackend {
  readonly name: BackendName;
  /** `startTestLoupe` with this backend's storage for `dataDir` (a fresh one by default) merged into `overrides`. */
  start(overrides?: Overrides, dataDir?: string, options?: StartOptions): Promise<TestLoupe>;
  /** `writeChildConfig` (a child process's tempo.yaml) with this backend's `storage.trace` for `dataDir`. */
  writeChildConfig(
    dataDir: string,
    timings?: { idle?: string; blockDuration?: string },
    extra?: string,
  ): string;
  /**
   * The complete blocks (those with a meta.json) that Loupe started by `start` or `writeChildConfig`
   * on `dataDir` has stored, in the shape of `blocksOnDisk`: on disk, exactly `blocksOnDisk`.
   */
  storedBlocks(dataDir: string): Promise<BlockOnDisk[]>;
}

const ALL: BackendName[] = ['local', 's3'];

function selectedBackends(): BackendName[] {
  const wanted = process.env.LOUPE_TEST_BACKENDS?.split(',').map((name) => name.trim());
  if (!wanted || wanted.join('') === '') return ALL;
  const unknown = wanted.filter((name) => !ALL.includes(name as BackendName));
  if (unknown.length > 0) throw new Error(`LOUPE_TEST_BACKENDS: unknown backend(s) ${unknown.join(', ')}`);
  return ALL.filter((name) => wanted.includes(name));
}

const local: TraceBackend = {
  name: 'local',
  start: (overrides = {}, dataDir = tempDataDir('loupe-it-'), options = {}) =>
    startTestLoupe(overrides, dataDir, options),
  writeChildConfig: (dataDir, timings, extra) => writeChildConfig(dataDir, timings, extra),
  storedBlocks: async (dataDir) => blocksOnDisk(join(dataDir, 'blocks')),
};

/** The file's S3: started (or joined) by the first S3 block of tests, released after the file. */
interface FileS3 {
  s3: RunningS3;
  bucket: string;
}
let fileS3: Promise<FileS3> | undefined;
/** `describeEachBackend` calls of this file whose file-level cleanup has not run yet. */
let pendingCleanups = 0;

function s3Ready(): Promise<FileS3> {
  fileS3 ??= (async () => {
    const s3 = await startS3();
    try {
      return { s3, bucket: await s3.newBucket() };
    } catch (err) {
      await s3.stop();
      throw err;
    }
  })();
  return fileS3;
}

/** The file's S3 once `s3Ready` has resolved (the S3 block's first hook): the tests' own hooks come after it. */
let current: FileS3 | undefined;
function ready(): FileS3 {
  if (!current) throw new Error('S3 is not started: use the backend inside describeEachBackend');
  return current;
}

/** Each data directory's own folder in the bucket. */
const prefixOf = (dataDir: string) => basename(dataDir);

const s3Backend: TraceBackend = {
  name: 's3',
  start: (overrides = {}, dataDir = tempDataDir('loupe-it-'), options = {}) => {
    const { s3, bucket } = ready();
    const storage = { backend: 's3' as const, s3: s3.options({ bucket, prefix: prefixOf(dataDir) }) };
    return startTestLoupe({ ...overrides, storage: { ...overrides.storage, ...storage } }, dataDir, options);
  },
  writeChildConfig: (dataDir, timings, extra) => {
    const { s3, bucket } = ready();
    return writeChildConfig(
      dataDir,
      timings,
      extra,
      s3TraceStorage(s3.options({ bucket }), prefixOf(dataDir)),
    );
  },
  storedBlocks: async (dataDir) => {
    const { s3, bucket } = ready();
    const prefix = `${prefixOf(dataDir)}/`;
    const metaKeys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const { Key } of page.Contents ?? []) {
        // <prefix>/<tenant>/<block>/meta.json, as blocksOnDisk looks for <root>/<tenant>/<block>/meta.json
        const parts = Key?.slice(prefix.length).split('/') ?? [];
        if (parts.length === 3 && parts[2] === 'meta.json') metaKeys.push(Key as string);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return Promise.all(
      metaKeys.map(async (Key) => {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const [tenantDir, blockDir] = Key.slice(prefix.length).split('/');
        return { tenantDir, blockDir, meta: JSON.parse(await object.Body!.transformToString()) };
      }),
    );
  },
};

const BACKENDS: Record<BackendName, TraceBackend> = { local, s3: s3Backend };

/**
 * `describe` once per backend (`<title> (local)`, `<title> (s3)`), handing `body` the backend
 * its tests start Loupe on. Call it at a test file's top level; on S3 the block's first hook
 * starts or joins radosgw and makes the file's bucket, and after the file the bucket is dropped
 * and radosgw released.
 */
export function describeEachBackend(title: string, body: (backend: TraceBackend) => void): void {
  pendingCleanups++;
  afterAll(async () => {
    if (--pendingCleanups > 0 || !fileS3) return;
    const started = fileS3;
    fileS3 = undefined;
    current = undefined;
    const got = await started.catch(() => undefined); // a failed start was reported by its hook
    if (!got) return;
    const { s3, bucket } = got;
    try {
      await s3.dropBucket(bucket);
    } finally {
      await s3.stop();
    }
  }, 60_000);

  describe.each(selectedBackends())(`${title} (%s)`, (name) => {
    if (name === 's3') {
      beforeAll(async () => {
        current = await s3Ready();
      }, S3_START_TIMEOUT_MS);
    }
    body(BACKENDS[name]);
  });
}
