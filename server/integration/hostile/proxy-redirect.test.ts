import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isReady } from '../support/clients';
import {
  closeFakes,
  type FakeAnswer,
  type FakeServer,
  forgetRequests,
  startFake,
} from '../support/fake-http';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';

/**
 * Issue 11: `/loupe/proxy/prometheus/*` forwards to the configured `metrics.prometheus_url`.
 * It followed redirects, so a Prometheus (or anything posing as one) answering
 * `302 Location: http://127.0.0.1:<port>/…` made Loupe fetch that internal URL and hand its body
 * to the browser. Now a redirect is answered 502 with a message saying so, and no request ever
 * leaves for another origin, whatever the path.
 */

const SECRET = 'internal-secret-body-7f3a';
const PREFIX = '/prom';

let secret: FakeServer;
let upstream: FakeServer;
let loupe: TestLoupe;
const proxy = () => `${loupe.api}/loupe/proxy/prometheus`;

beforeAll(async () => {
  secret = await startFake(() => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: SECRET,
  }));
  // A Prometheus that answers `?redirect=<status>` with a redirect to the secret server.
  upstream = await startFake((req): FakeAnswer => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const redirect = url.searchParams.get('redirect');
    if (redirect) {
      return {
        status: Number(redirect),
        headers: { location: `${secret.url}/private?from=${url.pathname}` },
      };
    }
    const data = { resultType: 'scalar', result: [0, '1'] };
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', data }),
    };
  });
  loupe = await startTestLoupe({ metrics: { prometheusUrl: `${upstream.url}${PREFIX}` } });
});

afterAll(async () => {
  await loupe?.loupe.stop();
  if (loupe) removeDir(loupe.dataDir);
  await closeFakes(secret, upstream);
});

beforeEach(() => forgetRequests(upstream, secret));

describe('the Prometheus proxy and redirects', () => {
  it('forwards a plain query to the configured Prometheus, under its path', async () => {
    const res = await fetch(`${proxy()}/api/v1/query?query=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', data: { resultType: 'scalar', result: [0, '1'] } });
    expect(upstream.requests.map((r) => r.line)).toEqual([`GET ${PREFIX}/api/v1/query?query=1`]);
  });

  it.each([301, 302, 303, 307, 308])('a %i is answered 502, not followed', async (status) => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${proxy()}/api/v1/query?query=up&redirect=${status}`, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=up' }
          : {}),
      });
      const text = await res.text();
      expect(res.status).toBe(502);
      expect(text).not.toContain(SECRET);
      const body = JSON.parse(text) as { status: string; errorType: string; error: string };
      expect(body.status).toBe('error');
      expect(body.error).toContain(`answered ${status} with a redirect to ${secret.url}/private`);
      expect(body.error).toContain('not followed');
      expect(body.error).toContain('prometheus_url');
    }
    expect(secret.requests).toEqual([]);
    expect(await isReady(loupe.api)).toBe(true);
  });

  it.each([
    `//127.0.0.1:SECRET_PORT/private`,
    `/api/v1//127.0.0.1:SECRET_PORT/private`,
    `/api/v1/%2F%2F127.0.0.1:SECRET_PORT%2Fprivate`,
    `/api/v1/%2e%2e/%2e%2e/private`,
    `/api/v1/..%2F..%2Fprivate`,
    `/api/v1/@127.0.0.1:SECRET_PORT/private`,
    `/api/v1/%5C%5C127.0.0.1:SECRET_PORT/private`,
    `/api/v1/query?query=1#@127.0.0.1:SECRET_PORT/private`,
    `/http://127.0.0.1:SECRET_PORT/private`,
  ])('the path %s cannot leave the configured Prometheus', async (path) => {
    const port = new URL(secret.url).port;
    const res = await fetch(`${proxy()}${path.replaceAll('SECRET_PORT', port)}`);
    expect(await res.text()).not.toContain(SECRET);
    expect(secret.requests).toEqual([]);
    for (const request of upstream.requests)
      expect(request.line).toMatch(new RegExp(`^GET ${PREFIX}/api/v1/`));
  });
});
