import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isReady } from '../support/clients';
import { closeFakes, type FakeServer, forgetRequests, startFake } from '../support/fake-http';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';

/**
 * Issue 15, connections: `/loupe/proxy/prometheus/*` reaches only `metrics.prometheus_url`.
 * Request targets a browser's `fetch` would never send (it resolves dot segments, drops the
 * fragment, encodes CR and LF) are written here on a raw socket, byte for byte: absolute-form
 * targets naming another host, literal `/../`, `@`, a fragment, CR/LF (raw and encoded) in the
 * path and the query, and a forged `Host`. None of them makes Loupe send a request anywhere but
 * below the configured Prometheus's path, nor a header the client chose.
 * (`proxy-redirect.test.ts` has the encoded variants and redirects.)
 */

const SECRET = 'internal-secret-body-7f3a';
const PREFIX = '/prom';
const PROXY = '/loupe/proxy/prometheus';

/** Writes `head` (a request line and headers, CRLF-separated) as is; returns the status and body. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}\r\nconnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  });
}

let secret: FakeServer;
let upstream: FakeServer;
let loupe: TestLoupe;
let loupePort: number;

beforeAll(async () => {
  const json = (body: string) => () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body,
  });
  secret = await startFake(json(SECRET));
  upstream = await startFake(
    json(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, '1'] } })),
  );
  loupe = await startTestLoupe({ metrics: { prometheusUrl: `http://127.0.0.1:${upstream.port}${PREFIX}` } });
  loupePort = Number(new URL(loupe.api).port);
});

afterAll(async () => {
  await loupe?.loupe.stop();
  if (loupe) removeDir(loupe.dataDir);
  await closeFakes(secret, upstream);
});

beforeEach(() => forgetRequests(upstream, secret));

/** What every attempt must leave behind: no request to the secret, none outside the prefix, none with the client's headers. */
function expectContained(answer: { text: string }): void {
  expect(answer.text).not.toContain(SECRET);
  expect(secret.requests).toEqual([]);
  for (const { line, headers } of upstream.requests) {
    expect(line).toMatch(new RegExp(`^(GET|POST) ${PREFIX}/api/v1/[^\\r\\n]*$`));
    expect(headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(headers['x-injected']).toBeUndefined();
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
  }
}

describe('the Prometheus proxy reaches only the configured Prometheus', () => {
  it('forwards a plain request, under the configured path', async () => {
    const answer = await rawRequest(loupePort, `GET ${PROXY}/api/v1/query?query=1 HTTP/1.1\r\nhost: loupe`);
    expect(answer.status).toBe(200);
    expect(upstream.requests.map((r) => r.line)).toEqual([`GET ${PREFIX}/api/v1/query?query=1`]);
    expectContained(answer);
  });

  it.each([
    ['an absolute-form target naming another host', 'GET http://127.0.0.1:SECRET/private HTTP/1.1'],
    [
      'an absolute-form target naming another host, on the proxy path',
      `GET http://127.0.0.1:SECRET${PROXY}/api/v1/query?query=1 HTTP/1.1`,
    ],
    ['literal dot segments', `GET ${PROXY}/api/v1/../../../private HTTP/1.1`],
    ['dot segments up to another path of the upstream', `GET ${PROXY}/api/v1/../../admin/tsdb HTTP/1.1`],
    ['a "//host" path', `GET ${PROXY}//127.0.0.1:SECRET/private HTTP/1.1`],
    ['an "@" after the proxy prefix', `GET ${PROXY}@127.0.0.1:SECRET/api/v1/query HTTP/1.1`],
    ['an "@" in the path', `GET ${PROXY}/api/v1/@127.0.0.1:SECRET/private HTTP/1.1`],
    ['a fragment', `GET ${PROXY}/api/v1/query?query=1#@127.0.0.1:SECRET/private HTTP/1.1`],
    ['an encoded CRLF in the path', `GET ${PROXY}/api/v1/query%0D%0AX-Injected:%20yes HTTP/1.1`],
    ['an encoded CRLF in the query', `GET ${PROXY}/api/v1/query?query=1%0D%0AX-Injected:%20yes HTTP/1.1`],
    ['a raw CR in the path', `GET ${PROXY}/api/v1/query\rX-Injected: yes HTTP/1.1`],
    ['a raw CRLF in the path', `GET ${PROXY}/api/v1/query\r\nX-Injected: yes HTTP/1.1`],
    ['a backslash path', `GET ${PROXY}/api/v1/\\\\127.0.0.1:SECRET\\private HTTP/1.1`],
    ['an absolute URL in the path', `GET ${PROXY}/http://127.0.0.1:SECRET/private HTTP/1.1`],
  ])('%s', async (_name, requestLine) => {
    const line = requestLine.replaceAll('SECRET', String(secret.port));
    const answer = await rawRequest(loupePort, `${line}\r\nhost: loupe`);
    expect(answer.status).toBeGreaterThan(0);
    expectContained(answer);
  });

  it('a forged Host header, and credentials, are not forwarded', async () => {
    const answer = await rawRequest(
      loupePort,
      [
        `GET ${PROXY}/api/v1/query?query=1 HTTP/1.1`,
        `host: 127.0.0.1:${secret.port}`,
        'authorization: Bearer user-token',
        'cookie: session=abc',
        'x-injected: yes',
      ].join('\r\n'),
    );
    expect(answer.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expectContained(answer);
  });

  it('still serves after every attempt', async () => {
    expect(await isReady(loupe.api)).toBe(true);
  });
});
