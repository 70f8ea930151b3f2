import { createHmac } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { createS3Client, type S3Options } from './s3-client';
import { DirectGets, encodeKey, retryErrorType, routeOf, signGet } from './s3-direct-get';
import { readBody } from './s3-read-body';

const options = (overrides: Partial<S3Options> = {}): S3Options => ({
  bucket: 'b',
  region: 'eu-west-1',
  accessKey: 'AKIDEXAMPLE',
  secretKey: 'secret',
  insecure: false,
  forcePathStyle: false,
  prefix: '',
  partSizeBytes: 16 * 1024 * 1024,
  ...overrides,
});

describe('signGet', () => {
  // AWS's worked example for SigV4 in a header: "GET Object" of bytes 0-9 of examplebucket/test.txt
  // (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
  const example = {
    route: { host: 'examplebucket.s3.amazonaws.com', region: 'us-east-1', service: 's3' },
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    date: new Date('2013-05-24T00:00:00Z'),
  };
  const key = (scope: string, secret: string) =>
    scope
      .split('/')
      .reduce<Buffer | string>(
        (k, part) => createHmac('sha256', k).update(part).digest(),
        `AWS4${secret}`,
      ) as Buffer;

  it("signs AWS's example GET as AWS does", () => {
    const { route, credentials, date } = example;
    const headers = signGet(route, '/test.txt', 'bytes=0-9', credentials, date, key);

    expect(headers).toEqual({
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    });
  });

  it('signs the session token of temporary credentials, and no range when there is none', () => {
    const { route, credentials, date } = example;
    const headers = signGet(
      route,
      '/test.txt',
      undefined,
      { ...credentials, sessionToken: 'tok' },
      date,
      key,
    );

    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers.range).toBeUndefined();
    expect(headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
  });
});

describe('encodeKey', () => {
  it('percent-encodes every byte but unreserved characters, keeping the slashes', () => {
    expect(encodeKey('t/b-1_2.3~/data')).toBe('t/b-1_2.3~/data');
    expect(encodeKey("a b/!'()*/+=&?#%/é")).toBe('a%20b/%21%27%28%29%2A/%2B%3D%26%3F%23%25/%C3%A9');
  });
});

describe('routeOf', () => {
  const signed = {
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 7480,
    path: '/bucket/pre/loupe-direct-get-probe',
    query: { 'x-id': 'GetObject' },
    headers: {
      host: '127.0.0.1:7480',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AK/20261204/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
    },
  };

  it('keeps what the SDK chose: endpoint, Host header, the path before the key, the signing scope', () => {
    expect(routeOf(signed, 'pre/loupe-direct-get-probe')).toEqual({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 7480,
      host: '127.0.0.1:7480',
      basePath: '/bucket/',
      region: 'us-east-1',
      service: 's3',
    });
  });

  it('refuses what it could not sign the same way: SigV4a, S3 Express sessions, other queries, another path', () => {
    const sigv4a =
      'AWS4-ECDSA-P256-SHA256 Credential=AK/20261204/s3/aws4_request, SignedHeaders=host, Signature=00';
    const cases = [
      { ...signed, headers: { ...signed.headers, authorization: sigv4a } },
      { ...signed, headers: { ...signed.headers, 'x-amz-s3session-token': 'session' } },
      { ...signed, query: { 'x-id': 'GetObject', versionId: '1' } },
      { ...signed, path: '/bucket/pre/loupe-direct-get-probe?x' },
      { ...signed, method: 'HEAD' },
    ];
    for (const request of cases) expect(routeOf(request, 'pre/loupe-direct-get-probe')).toBeUndefined();
  });
});

describe('DirectGets.route', () => {
  it("learns AWS's virtual-hosted endpoint and region from a dry run that sends nothing", async () => {
    const client = createS3Client(options(), { maxAttempts: 1 });
    try {
      const route = await new DirectGets(client, 'my-bucket', 'loupe/loupe-direct-get-probe').route();
      expect(route).toEqual({
        protocol: 'https:',
        hostname: 'my-bucket.s3.eu-west-1.amazonaws.com',
        port: undefined,
        host: 'my-bucket.s3.eu-west-1.amazonaws.com',
        basePath: '/',
        region: 'eu-west-1',
        service: 's3',
      });
    } finally {
      client.destroy();
    }
  });

  it('learns a path-style endpoint with a path of its own', async () => {
    const client = createS3Client(
      options({ endpoint: 'http://store.internal:9000/s3', forcePathStyle: true }),
    );
    try {
      const route = await new DirectGets(client, 'b', 'p/loupe-direct-get-probe').route();
      expect(route).toMatchObject({ hostname: 'store.internal', port: 9000, basePath: '/s3/b/' });
    } finally {
      client.destroy();
    }
  });

  it('leaves GETs to the SDK for a while when the dry run fails (no credentials to sign with)', async () => {
    const client = createS3Client(options());
    let asked = 0;
    Object.assign(client.config, {
      credentials: () => {
        asked++;
        return Promise.reject(new Error('no credentials'));
      },
    });
    try {
      const direct = new DirectGets(client, 'b', 'loupe-direct-get-probe');
      expect(await direct.route()).toBeUndefined();
      const afterFirst = asked;
      expect(afterFirst).toBeGreaterThan(0);
      expect(await direct.route()).toBeUndefined();
      expect(asked).toBe(afterFirst); // not tried again straight away
    } finally {
      client.destroy();
    }
  });
});

describe('retryErrorType', () => {
  it("retries what the SDK's retry middleware retries", () => {
    const status = (httpStatusCode: number, name = 'Unknown') => ({ name, $metadata: { httpStatusCode } });
    expect(retryErrorType(status(503, 'SlowDown'))).toBe('THROTTLING');
    expect(retryErrorType(status(429))).toBe('THROTTLING');
    expect(retryErrorType(status(500, 'InternalError'))).toBe('TRANSIENT');
    expect(retryErrorType(status(501, 'NotImplemented'))).toBe('SERVER_ERROR');
    expect(retryErrorType({ name: 'TimeoutError' })).toBe('TRANSIENT');
    expect(retryErrorType({ name: 'Error', code: 'ECONNRESET' })).toBe('TRANSIENT');
    expect(retryErrorType({ name: 'Error', cause: { code: 'EPIPE' } })).toBe('TRANSIENT');
    expect(retryErrorType({ name: 'AbortError', code: 'ECONNRESET' })).toBe('CLIENT_ERROR');
    expect(retryErrorType(status(404, 'NoSuchKey'))).toBe('CLIENT_ERROR');
    expect(retryErrorType(status(416, 'InvalidRange'))).toBe('CLIENT_ERROR');
    expect(
      retryErrorType({ ...status(403, 'RequestTimeTooSkewed'), $metadata: { clockSkewCorrected: true } }),
    ).toBe('TRANSIENT');
  });
});

describe('readBody', () => {
  it('reads a body of known length into one buffer, from chunks of any size', async () => {
    const data = Buffer.from('0123456789abcdef');
    const body = Readable.from([data.subarray(0, 3), data.subarray(3, 10), data.subarray(10)]);
    expect(await readBody(body, data.length)).toEqual(data);
  });

  it('reads a body of unknown length whole', async () => {
    expect(
      (await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), undefined)).toString(),
    ).toBe('abcd');
    expect(await readBody(Readable.from([]), 0)).toEqual(Buffer.alloc(0));
  });

  it('refuses a body shorter or longer than its length', async () => {
    await expect(readBody(Readable.from([Buffer.from('abc')]), 5)).rejects.toThrow(
      'ended after 3 of its 5 bytes',
    );
    await expect(readBody(Readable.from([Buffer.from('abcdef')]), 5)).rejects.toThrow('runs past');
  });

  it('fails with the stream, and with the signal reason when aborted', async () => {
    const failing = new PassThrough();
    const read = readBody(failing, 10);
    failing.write('abc');
    failing.destroy(new Error('socket hang up'));
    await expect(read).rejects.toThrow('socket hang up');

    const stalled = new PassThrough();
    const controller = new AbortController();
    const reason = new Error('query cancelled');
    const aborted = readBody(stalled, 10, controller.signal);
    stalled.write('abc');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(stalled.destroyed).toBe(true);
  });
});
