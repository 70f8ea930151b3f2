import { createServer, type Server } from 'node:net';
import { ConfigError } from '../../config-reader/config-values';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../../testing/s3';
import { checkS3Access } from './s3-access-check';
import { S3Backend } from './s3-backend';
import type { S3Options } from './s3-client';

/**
 * Startup asks the store once: each wrong setting stops Loupe with one line naming that setting
 * (against a real radosgw; the unreachable endpoint is a closed loopback port).
 */
let s3: RunningS3;

beforeAll(async () => {
  s3 = await startS3();
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  await s3?.stop();
}, 60_000);

async function failure(options: S3Options): Promise<string> {
  const backend = new S3Backend(options, { tuning: { maxAttempts: 1 } });
  try {
    await checkS3Access(backend, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  } finally {
    backend.close();
  }
  return 'no error';
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('checkS3Access at startup', () => {
  it('passes for a bucket and keys that work', async () => {
    expect(await failure(s3.options())).toBe('no error');
  });

  it('names storage.trace.s3.bucket for a bucket that does not exist', async () => {
    expect(await failure(s3.options({ bucket: 'no-such-bucket-here' }))).toMatch(
      /^storage\.trace\.s3\.bucket: bucket "no-such-bucket-here" does not exist at endpoint /,
    );
  });

  it('names storage.trace.s3.access_key for an unknown access key', async () => {
    expect(await failure(s3.options({ accessKey: 'NOBODY00000000000000' }))).toMatch(
      /^storage\.trace\.s3\.access_key: /,
    );
  });

  it('names storage.trace.s3.secret_key for a wrong secret key', async () => {
    expect(await failure(s3.options({ secretKey: 'wrong-secret-wrong-secret-wrong-secret00' }))).toMatch(
      /^storage\.trace\.s3\.secret_key: /,
    );
  });

  it('names storage.trace.s3.endpoint when nothing answers there', async () => {
    const port = await closedPort();
    expect(await failure(s3.options({ endpoint: `127.0.0.1:${port}` }))).toMatch(
      new RegExp(
        `^storage\\.trace\\.s3\\.endpoint: cannot reach endpoint 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
      ),
    );
  });
});
