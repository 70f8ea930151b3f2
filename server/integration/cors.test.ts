import { startTestLoupe, type TestLoupe } from './support/loupe-server';

/** A browser's preflight for an OTLP/HTTP export from `origin`. */
function preflight(server: TestLoupe, origin: string): Promise<Response> {
  return fetch(`${server.otlp}/v1/traces`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

describe('CORS on the OTLP/HTTP receiver', () => {
  let open: TestLoupe;
  let closed: TestLoupe;

  beforeAll(async () => {
    open = await startTestLoupe({
      receivers: { http: { corsAllowedOrigins: ['http://app.example', 'https://*.corp.example'] } },
    });
    closed = await startTestLoupe();
  });
  afterAll(async () => {
    await open.loupe.stop();
    await closed.loupe.stop();
  });

  it('lets a browser SDK on an allowed origin export traces', async () => {
    for (const origin of ['http://app.example', 'https://shop.corp.example']) {
      const res = await preflight(open, origin);
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    }
    const post = await fetch(`${open.otlp}/v1/traces`, {
      method: 'POST',
      headers: { origin: 'http://app.example', 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [] }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('http://app.example');
  });

  it('does not allow other origins, nor any origin when CORS is not configured', async () => {
    const other = await preflight(open, 'http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const off = await preflight(closed, 'http://app.example');
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });
});
