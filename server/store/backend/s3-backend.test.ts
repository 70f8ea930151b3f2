import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../../testing/s3';
import { buildStorageConfig } from '../store-config';
import { describeBackendContract } from './backend-contract';
import { createBackend } from './create-backend';
import { BackendPool } from './pool';
import { S3Backend } from './s3-backend';

/**
 * Against a real S3 server: Ceph's radosgw on loopback, started by scripts/start-s3.sh (installed
 * with apt-get on the first run). Every test gets a fresh bucket or a fresh prefix.
 */
let s3: RunningS3;
const backends: S3Backend[] = [];

beforeAll(async () => {
  s3 = await startS3();
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  for (const backend of backends) backend.close();
  await s3?.stop();
}, 60_000);

/** A backend on a fresh bucket; dropped with everything in it afterwards. */
async function freshBackend() {
  const bucket = await s3.newBucket();
  const backend = new S3Backend(s3.options({ bucket }), { tuning: { maxAttempts: 2 } });
  backends.push(backend);
  return { backend, bucket, cleanup: () => s3.dropBucket(bucket) };
}

describeBackendContract('S3Backend on radosgw', () => freshBackend());

describeBackendContract('BackendPool over S3Backend, under a prefix of a shared bucket', async () => {
  const prefix = `contract-${crypto.randomUUID()}`;
  const backend = new S3Backend(s3.options({ prefix }));
  backends.push(backend);
  return {
    backend: new BackendPool(backend, { maxWorkers: 8, queueDepth: 1000 }),
    cleanup: () => backend.delete(`${prefix}/`).catch(() => {}),
  };
});

/** Runs `task` for 0..count-1, `concurrency` at a time. */
async function times(count: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const pad = (i: number) => String(i).padStart(4, '0');

describe('S3Backend on radosgw', () => {
  let backend: S3Backend;
  let bucket: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ backend, bucket, cleanup } = await freshBackend());
  });

  afterEach(async () => {
    await cleanup();
  });

  it('keeps backends with different prefixes apart, even when one prefix starts the other', async () => {
    const team = new S3Backend(s3.options({ bucket, prefix: 'team' }));
    const team2 = new S3Backend(s3.options({ bucket, prefix: '/team2/' }));
    const nested = new S3Backend(s3.options({ bucket, prefix: 'team/nested' }));
    backends.push(team, team2, nested);
    await team.write('t/b/meta.json', Buffer.from('team'));
    await team2.write('t/b/meta.json', Buffer.from('team2'));
    await nested.write('t/b/meta.json', Buffer.from('nested'));

    expect(await team.list('')).toEqual(['nested', 't']);
    expect(await team2.list('')).toEqual(['t']);
    expect(await nested.list('t/b/')).toEqual(['meta.json']);
    expect((await team2.read('t/b/meta.json'))?.toString()).toBe('team2');
    // The bucket root, seen without a prefix.
    expect(await backend.list('')).toEqual(['team', 'team2']);
    expect(await backend.list('team/')).toEqual(['nested', 't']);

    await team2.delete('t/');
    expect(await team2.list('')).toEqual([]);
    expect((await team.read('t/b/meta.json'))?.toString()).toBe('team');
    expect((await nested.read('t/b/meta.json'))?.toString()).toBe('nested');
  });

  it('stores a view into a larger buffer as just its bytes, and empty objects as empty', async () => {
    const big = Buffer.from('0123456789abcdef');
    await backend.write('t/b/view', big.subarray(4, 8));
    await backend.write('t/b/empty', Buffer.alloc(0));

    expect((await backend.read('t/b/view'))?.toString()).toBe('4567');
    expect(await backend.read('t/b/empty')).toEqual(Buffer.alloc(0));
    expect(await backend.list('t/b/')).toEqual(['empty', 'view']);
  });

  it('reads keys of any characters, whole and in ranges, as the SDK wrote them', async () => {
    // Writes go through the SDK; reads are direct GETs, signed over paths encoded here.
    const keys = ['t/b/a b+c=d&e?f#g%h', "t/b/!'()*~", 't/b/é/ü/日本', 't/b/;:@$,[]{}^`|"<>'];
    for (const [i, key] of keys.entries()) await backend.write(key, Buffer.from(`object ${i}`));

    for (const [i, key] of keys.entries()) {
      expect((await backend.read(key))?.toString()).toBe(`object ${i}`);
      expect((await backend.readRange(key, 7, 1)).toString()).toBe(String(i));
    }
  });

  it('refuses a prefix no key could have', () => {
    for (const prefix of ['a/../b', './a', 'a//b', 'a\\b']) {
      expect(() => new S3Backend(s3.options({ bucket, prefix }))).toThrow(/invalid key segment|backslash/);
    }
  });

  it('uploads objects above the part size in parts, and reads them whole and in ranges', async () => {
    const multipart = new S3Backend(s3.options({ bucket, partSizeBytes: 5 * 1024 * 1024 }));
    backends.push(multipart);
    const size = 12 * 1024 * 1024 + 3;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4093) data[i] = (i / 4093) % 251;
    // Chunks that straddle the part boundaries.
    const cut = [0, 1_000_000, 5 * 1024 * 1024 + 7, 9_999_999, size];
    const chunks = cut.slice(1).map((end, i) => data.subarray(cut[i], end));
    await multipart.write('t/b/data', chunks);

    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/b/data' }));
    expect(head.ETag).toMatch(/-3"$/); // a multipart ETag names its part count
    expect((await multipart.read('t/b/data'))?.equals(data)).toBe(true);
    const boundary = 5 * 1024 * 1024;
    expect(await multipart.readRange('t/b/data', boundary - 10, 20)).toEqual(
      data.subarray(boundary - 10, boundary + 10),
    );
    // At or below the part size: one PUT.
    await multipart.write('t/b/small', Buffer.alloc(boundary, 7));
    const small = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/b/small' }));
    expect(small.ETag).not.toMatch(/-\d+"$/);
  });

  it('aborts the multipart upload when the write is aborted, keeping the old object', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_details: object, message: string) => warnings.push(message) };
    const multipart = new S3Backend(s3.options({ bucket, partSizeBytes: 5 * 1024 * 1024 }), { logger });
    backends.push(multipart);
    await multipart.write('t/b/data', Buffer.from('old'));
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const write = multipart.write('t/b/data', Buffer.alloc(40 * 1024 * 1024, 1), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 20);

    await expect(write).rejects.toBe(reason);
    expect((await multipart.read('t/b/data'))?.toString()).toBe('old');
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('refuses ranges past the end with a RangeError, and missing objects with an error naming the key', async () => {
    await backend.write('t/b/data', Buffer.alloc(100, 1));

    await expect(backend.readRange('t/b/data', 90, 20)).rejects.toThrow(RangeError);
    await expect(backend.readRange('t/b/data', 100, 1)).rejects.toThrow(RangeError);
    await expect(backend.readRange('t/b/data', 500, 10)).rejects.toThrow(RangeError);
    await expect(backend.readRange('t/b/data', 101, 0)).rejects.toThrow(RangeError);
    expect((await backend.readRange('t/b/data', 100, 0)).length).toBe(0);
    expect(await backend.readRange('t/b/data', 99, 1)).toEqual(Buffer.from([1]));
    await expect(backend.readRange('t/b/gone', 0, 10)).rejects.toThrow('t/b/gone does not exist');
    await expect(backend.readRange('t/b/gone', 0, 0)).rejects.toThrow('t/b/gone does not exist');
  });

  it('lists more than 1000 children, objects and folders alike, across pages', async () => {
    await times(1010, 32, (i) =>
      backend.write(i % 2 ? `t/b/obj-${pad(i)}` : `t/b/dir-${pad(i)}/x`, Buffer.from('x')),
    );

    const names = await backend.list('t/b/');
    expect(names).toHaveLength(1010);
    expect(names).toEqual([...names].sort());
    expect(names.slice(0, 2)).toEqual(['dir-0000', 'dir-0002']);
    expect(names.at(-1)).toBe('obj-1009');
  }, 60_000);

  it('deletes a prefix holding more than 1000 objects, and nothing beside it', async () => {
    await times(1100, 32, (i) => backend.write(`t/old/${pad(i)}/meta.json`, Buffer.from('x')));
    await backend.write('t/old-sibling/meta.json', Buffer.from('kept'));
    await backend.write('t/other/meta.json', Buffer.from('kept'));

    await backend.delete('t/old/');
    expect(await backend.list('t/')).toEqual(['old-sibling', 'other']);
    expect(await backend.list('t/old/')).toEqual([]);
  }, 60_000);

  it('is what createBackend builds for storage.trace.backend: s3, host:port endpoint and all', async () => {
    const values: Record<string, unknown> = {
      'storage.trace.backend': 's3',
      'storage.trace.s3.bucket': bucket,
      'storage.trace.s3.endpoint': s3.endpoint.replace('http://', ''),
      'storage.trace.s3.insecure': true,
      'storage.trace.s3.access_key': s3.accessKey,
      'storage.trace.s3.secret_key': s3.secretKey,
      'storage.trace.s3.prefix': 'loupe',
    };
    const config = buildStorageConfig((path, fallback) =>
      path in values ? (values[path] as typeof fallback) : fallback,
    );
    const pool = createBackend(config);
    await pool.write('t/b/meta.json', Buffer.from('{}'));

    expect(await backend.list('loupe/t/b/')).toEqual(['meta.json']);
    expect((await pool.read('t/b/meta.json'))?.toString()).toBe('{}');
  });
});
