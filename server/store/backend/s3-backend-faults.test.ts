import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loopbackS3Options } from '../store-test-support';
import { S3Backend } from './s3-backend';

const backends: S3Backend[] = [];

afterAll(() => {
  for (const backend of backends) backend.close();
});

/**
 * What radosgw will not do on demand: fail. A fake endpoint on loopback answers as a struggling
 * (or not quite S3) store would; no S3 server is needed. GETs go the backend's direct way
 * (`s3-direct-get.ts`) or through the SDK's `client.send`; both must behave alike.
 */
describe.each([
  { path: 'direct GETs', directGets: true },
  { path: 'GETs through the SDK', directGets: false },
])('S3Backend against a failing endpoint, $path', ({ directGets }) => {
  let server: Server;
  let requests = 0;
  let seen: string[] = [];
  let answer: (attempt: number, res: ServerResponse, req: IncomingMessage) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      seen.push(`${req.method} ${req.url}`);
      answer(++requests, res, req);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = 0;
    seen = [];
  });

  const backendOn = (maxAttempts: number, requestTimeoutMs = 5_000, socketTimeoutMs = 5_000) => {
    const warnings: object[] = [];
    const backend = new S3Backend(loopbackS3Options(server), {
      tuning: { maxAttempts, requestTimeoutMs, socketTimeoutMs },
      logger: { warn: (details) => warnings.push(details) },
      directGets,
    });
    backends.push(backend);
    return { backend, warnings };
  };

  it('retries 5xx and throttling answers with backoff, then succeeds, and logs the retries', async () => {
    answer = (attempt, res) => {
      if (attempt === 1) res.writeHead(503).end('<Error><Code>SlowDown</Code></Error>');
      else if (attempt === 2) res.writeHead(500).end('<Error><Code>InternalError</Code></Error>');
      else res.writeHead(200, { 'content-length': '2' }).end('ok');
    };
    const { backend, warnings } = backendOn(3);

    expect((await backend.read('t/b/data'))?.toString()).toBe('ok');
    expect(requests).toBe(3);
    expect(warnings).toEqual([
      expect.objectContaining({ operation: 'GetObject', key: 't/b/data', attempts: 3 }),
    ]);
  });

  it('sends GetObject the way it says: the SDK names the operation in the query, a direct GET does not', async () => {
    answer = (_attempt, res) => res.writeHead(206, { 'content-length': '3' }).end('abc');
    const { backend } = backendOn(1);

    expect((await backend.readRange('t/b/data', 10, 3)).toString()).toBe('abc');
    expect(seen).toEqual([directGets ? 'GET /b/t/b/data' : 'GET /b/t/b/data?x-id=GetObject']);
  });

  it('tells a missing object (404 NoSuchKey) and a range past the end (416 InvalidRange), without retrying', async () => {
    answer = (attempt, res) => {
      const [status, code] = attempt === 1 ? [404, 'NoSuchKey'] : [416, 'InvalidRange'];
      res
        .writeHead(status, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>no</Message></Error>`);
    };
    const { backend, warnings } = backendOn(3);

    expect(await backend.read('t/b/data')).toBeUndefined();
    await expect(backend.readRange('t/b/data', 100, 10)).rejects.toThrow(RangeError);
    expect(requests).toBe(2);
    expect(warnings).toEqual([]);
  });

  it('names the store’s error code, status and attempts on an error it does not retry', async () => {
    answer = (_attempt, res) =>
      res
        .writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': 'tx-1' })
        .end('<Error><Code>AccessDenied</Code><Message>Access &amp; more denied</Message></Error>');
    const { backend } = backendOn(3);

    await expect(backend.read('t/b/data')).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Access & more denied',
      $metadata: { httpStatusCode: 403, requestId: 'tx-1', attempts: 1 },
    });
    expect(requests).toBe(1);
  });

  it('corrects its clock from the store’s Date after a clock-skew error, and retries signed with it', async () => {
    const ahead = 3_600_000;
    const amzDates: string[] = [];
    answer = (attempt, res, req) => {
      amzDates.push(String(req.headers['x-amz-date']));
      const date = new Date(Date.now() + ahead).toUTCString();
      if (attempt === 1) {
        res
          .writeHead(403, { 'content-type': 'application/xml', date })
          .end('<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error>');
      } else {
        res.writeHead(200, { 'content-length': '2', date }).end('ok');
      }
    };
    const { backend } = backendOn(2);

    expect((await backend.read('t/b/data'))?.toString()).toBe('ok');
    const [first, second] = amzDates.map((d) =>
      Date.parse(d.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
    );
    expect(second - first).toBeGreaterThan(ahead - 60_000);
  });

  it('gives up after maxAttempts', async () => {
    answer = (_attempt, res) => res.writeHead(503).end('<Error><Code>ServiceUnavailable</Code></Error>');
    const { backend } = backendOn(2);

    await expect(backend.read('t/b/data')).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    expect(requests).toBe(2);
  });

  it('times out a request that gets no answer, and retries it', async () => {
    answer = () => {}; // never answers
    const { backend } = backendOn(2, 200);
    const started = Date.now();

    await expect(backend.read('t/b/data')).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(requests).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads a body again when it stalls part-way, which the SDK does not retry', async () => {
    answer = (attempt, res) => {
      res.writeHead(200, { 'content-length': '10' });
      if (attempt === 1)
        res.write('01234'); // ...and nothing more
      else res.end('0123456789');
    };
    const { backend, warnings } = backendOn(1, 5_000, 200);

    expect((await backend.readRange('t/b/data', 0, 10)).toString()).toBe('0123456789');
    expect(requests).toBe(2);
    expect(warnings).toEqual([expect.objectContaining({ operation: 'GetObject', attempt: 1 })]);
  });

  it('rejects with the signal reason when aborted mid-request', async () => {
    answer = () => {};
    const { backend } = backendOn(1);
    const reason = new Error('query cancelled');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);

    await expect(backend.read('t/b/data', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('deletes a prefix one object at a time where DeleteObjects is not implemented (GCS)', async () => {
    const listing =
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>2</KeyCount>' +
      '<IsTruncated>false</IsTruncated><Contents><Key>t/x</Key></Contents><Contents><Key>t/y</Key></Contents></ListBucketResult>';
    answer = (_attempt, res, req) => {
      if (req.method === 'GET') res.writeHead(200, { 'content-type': 'application/xml' }).end(listing);
      else if (req.method === 'POST') {
        res
          .writeHead(400, { 'content-type': 'application/xml' })
          .end(
            '<Error><Code>NotImplemented</Code><Message>POST ?delete is not implemented</Message></Error>',
          );
      } else res.writeHead(204).end();
    };
    const { backend } = backendOn(1);

    await backend.delete('t/');
    await backend.delete('t/');
    const calls = seen.map((line) => line.replace(/\?.*/, ''));
    expect(calls.filter((call) => call === 'POST /b/')).toHaveLength(1); // not asked again
    expect(calls.filter((call) => call.startsWith('DELETE')).sort()).toEqual([
      'DELETE /b/t/x',
      'DELETE /b/t/x',
      'DELETE /b/t/y',
      'DELETE /b/t/y',
    ]);
  });
});
