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

  it('sends no CORS header on an export when CORS is not configured, whatever the origin', async () => {
    for (const origin of ['http://app.example', 'http://evil.example', 'null']) {
      const post = await fetch(`${closed.otlp}/v1/traces`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [] }),
      });
      await post.arrayBuffer();
      expect(corsHeaders(post)).toEqual({});
    }
  });

  /**
   * Issue 15: the query API (:3200) never answers a cross-origin request: its UI is served from
   * the same origin, and a page elsewhere must not read traces, logs or metrics through a
   * visitor's browser. `cors.allowed_origins` is the OTLP receiver's alone.
   */
  describe('the query API on :3200', () => {
    const PATHS = [
      '/ready',
      '/api/search?q=%7B%7D',
      '/api/search/tags',
      '/api/traces/0123456789abcdef0123456789abcdef',
      '/prometheus/api/v1/query?query=vector(1)',
      '/loki/api/v1/labels',
      '/loupe/config',
      '/metrics',
    ];

    it.each(['configured for the receiver', 'not configured'])(
      'answers no cross-origin request when CORS is %s',
      async (which) => {
        const server = which === 'not configured' ? closed : open;
        for (const path of PATHS) {
          for (const origin of ['http://app.example', 'http://evil.example', 'null']) {
            const get = await fetch(`${server.api}${path}`, { headers: { origin } });
            await get.arrayBuffer();
            expect(corsHeaders(get), `GET ${path} from ${origin}`).toEqual({});
            const options = await fetch(`${server.api}${path}`, {
              method: 'OPTIONS',
              headers: {
                origin,
                'access-control-request-method': 'GET',
                'access-control-request-headers': 'x-scope-orgid',
              },
            });
            await options.arrayBuffer();
            expect(corsHeaders(options), `OPTIONS ${path} from ${origin}`).toEqual({});
          }
        }
      },
    );
  });
});

/** The response's `access-control-*` headers. */
function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries(
    [...res.headers.entries()].filter(([name]) => name.startsWith('access-control-')),
  );
}
