import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loopbackS3Options } from '../store-test-support';
import { S3Backend } from './s3-backend';

/**
 * `writeIfAbsent` against answers radosgw never gives on demand (its real behaviour is in the
 * backend contract, run on radosgw by s3-backend.test.ts): AWS's 409 for a conditional write
 * racing another, and a PUT retried after its first attempt did create the object.
 */
describe('S3Backend.writeIfAbsent against a scripted endpoint', () => {
  let server: Server;
  let seen: { method?: string; ifNoneMatch?: string; writeId?: string }[] = [];
  let answer: (attempt: number, res: ServerResponse, req: IncomingMessage) => void;
  const backends: S3Backend[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      seen.push({
        method: req.method,
        ifNoneMatch: req.headers['if-none-match'] as string | undefined,
        writeId: req.headers['x-amz-meta-loupe-write-id'] as string | undefined,
      });
      answer(seen.length, res, req);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const backend of backends) backend.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
  });

  const backendOn = (maxAttempts: number) => {
    const backend = new S3Backend(loopbackS3Options(server, { forcePathStyle: true }), {
      tuning: { maxAttempts },
    });
    backends.push(backend);
    return backend;
  };
  const error = (res: ServerResponse, status: number, code: string) =>
    res.writeHead(status, { 'content-type': 'application/xml' }).end(`<Error><Code>${code}</Code></Error>`);

  it('sends If-None-Match: * and takes a 412 at the first attempt as "already there", without asking more', async () => {
    answer = (_attempt, res) => error(res, 412, 'PreconditionFailed');

    expect(await backendOn(3).writeIfAbsent('lease/1', Buffer.from('x'))).toBe(false);
    expect(seen).toEqual([{ method: 'PUT', ifNoneMatch: '*', writeId: expect.any(String) }]);
  });

  it('asks again after a 409 conflict with another conditional write, until the store decides', async () => {
    answer = (attempt, res) => (attempt < 3 ? error(res, 409, 'ConditionalRequestConflict') : res.end());

    expect(await backendOn(1).writeIfAbsent('lease/1', Buffer.from('x'))).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('gives up with the error when the conflict does not clear', async () => {
    answer = (_attempt, res) => error(res, 409, 'ConditionalRequestConflict');

    await expect(backendOn(1).writeIfAbsent('lease/1', Buffer.from('x'))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 409 },
    });
    expect(seen).toHaveLength(4);
  });

  it.each([
    ['its own', true],
    ["another writer's", false],
  ])('tells, when a retried PUT meets a 412, whether the object is %s', async (_whose, ours) => {
    answer = (attempt, res) => {
      // The first PUT landed but its answer was lost (a 503 here); the retry finds the object.
      if (attempt === 1) error(res, 503, 'SlowDown');
      else if (attempt === 2) error(res, 412, 'PreconditionFailed');
      else {
        const writeId = ours ? (seen[0].writeId ?? '') : 'someone-else';
        res.writeHead(200, { 'x-amz-meta-loupe-write-id': writeId, 'content-length': '1' }).end();
      }
    };

    expect(await backendOn(2).writeIfAbsent('lease/1', Buffer.from('x'))).toBe(ours);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'HEAD']);
    expect(seen[1].writeId).toBe(seen[0].writeId);
  });
});
