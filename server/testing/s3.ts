import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client, S3_DEFAULTS, type S3Options } from '../store/backend/s3-client';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

/** A radosgw started (or joined) by `scripts/start-s3.sh`. */
export interface RunningS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** The bucket the script created; tests use fresh buckets (`newBucket`) or prefixes in it. */
  bucket: string;
  /** One client for the whole file's setup and inspection. */
  client: S3Client;
  /** Options for an `S3Backend` on `bucket` (or another), under `prefix`. */
  options(overrides?: Partial<S3Options>): S3Options;
  /** Creates an empty bucket with a unique name. */
  newBucket(): Promise<string>;
  /** Deletes every object of a bucket, then the bucket. */
  dropBucket(bucket: string): Promise<void>;
  /** Releases this file's hold; the cluster stops when no other test file holds it. */
  stop(): Promise<void>;
}

/** Port of the shared test instance; LOUPE_TEST_S3_PORT moves it. */
const PORT = process.env.LOUPE_TEST_S3_PORT ?? '7480';

/**
 * Enough for the first run, which installs Ceph with apt-get (~20-60 s); later starts take ~3 s,
 * joining a running instance well under one. Use it as the `beforeAll` timeout.
 */
export const S3_START_TIMEOUT_MS = 300_000;

function run(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(SCRIPTS, script),
      [PORT],
      { env: { ...process.env, ...env }, timeout: S3_START_TIMEOUT_MS - 10_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Starts Ceph's radosgw on loopback through `scripts/start-s3.sh` (installing the Debian packages
 * when missing), or joins the instance another test file started: each caller is a holder, and
 * the last one to stop stops the cluster. LOUPE_TEST_S3_KEEP=1 leaves it running for the next run.
 */
export async function startS3(): Promise<RunningS3> {
  // The PID lets stop-s3.sh drop the holds of test processes that died without releasing them.
  const env = { S3_HOLDER: `${process.pid}:${randomUUID()}` };
  const stdout = await run('start-s3.sh', env);
  const vars = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^(S3_[A-Z_]+)=(.*)$/.exec(line))
      .flatMap((match) => (match ? [[match[1], match[2]]] : [])),
  );
  for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION']) {
    if (!vars[name]) throw new Error(`start-s3.sh printed no ${name}: ${stdout}`);
  }
  const options = (overrides: Partial<S3Options> = {}): S3Options => ({
    bucket: vars.S3_BUCKET,
    endpoint: vars.S3_ENDPOINT,
    region: vars.S3_REGION,
    accessKey: vars.S3_ACCESS_KEY,
    secretKey: vars.S3_SECRET_KEY,
    insecure: true,
    forcePathStyle: true,
    prefix: '',
    partSizeBytes: S3_DEFAULTS.partSizeBytes,
    ...overrides,
  });
  const client = createS3Client(options(), { maxAttempts: 3 });

  const dropBucket = async (bucket: string) => {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const Objects = (page.Contents ?? []).flatMap(({ Key }) => (Key ? [{ Key }] : []));
      if (Objects.length > 0) {
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  };

  return {
    endpoint: vars.S3_ENDPOINT,
    accessKey: vars.S3_ACCESS_KEY,
    secretKey: vars.S3_SECRET_KEY,
    region: vars.S3_REGION,
    bucket: vars.S3_BUCKET,
    client,
    options,
    newBucket: async () => {
      const bucket = `loupe-test-${randomUUID()}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    dropBucket,
    stop: async () => {
      client.destroy();
      if (process.env.LOUPE_TEST_S3_KEEP === '1') return;
      await run('stop-s3.sh', env);
    },
  };
}
