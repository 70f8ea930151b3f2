import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TracePagePrerenderer } from './trace-page';

export interface UiClientConfig {
  version: string;
  multitenancyEnabled: boolean;
  /** Each signal module's settings for the UI (`LogsClientConfig`, `MetricsClientConfig`), sent as JSON. */
  logs?: object;
  metrics?: object;
}

export interface UiRoutesOptions {
  /** Output of `vite build` (dist/web). */
  distDir: string;
  /** What the SPA reads once at start from `GET /loupe/config`. */
  clientConfig: UiClientConfig;
  /** Renders trace pages with their first rows in them; without it, every page is index.html as built. */
  prerenderTracePage?: TracePagePrerenderer;
}

/** index.html marks `#root` with these comments: what is between them is replaced by a rendered page. */
const ROOT_START = '<!--loupe:root-->';
const ROOT_END = '<!--/loupe:root-->';

/** Paths owned by the APIs: never answered with the SPA, even for a browser. */
const API_PREFIXES = ['/api', '/loki', '/prometheus', '/metrics', '/ready', '/loupe'];
/** Vite puts content-hashed files here; they never change under the same name. */
const HASHED_ASSETS = '/assets/';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loupe</title></head>
<body style="font-family: sans-serif; background: #111217; color: #ccccdc; padding: 2rem">
<h1>Loupe</h1>
<p>The web UI has not been built yet. Run <code>npm run build</code> (or start with <code>npm start</code>),
then reload this page. The Tempo API is available under <code>/api/</code>.</p>
</body></html>`;

function isApiPath(url: string): boolean {
  return API_PREFIXES.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));
}

/** A browser navigation (or any client that takes HTML for an extensionless path). */
function acceptsHtml(request: FastifyRequest, pathname: string): boolean {
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/html')) return true;
  const hasExtension = path.posix.extname(pathname) !== '';
  return !hasExtension && (accept === '' || accept.includes('*/*'));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Resolves a URL path inside `root`, or undefined when it would escape it. */
function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const resolved = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return resolved === root || resolved.startsWith(root + path.sep) ? resolved : undefined;
}

/**
 * The web UI: `GET /loupe/config`, the built SPA with long-lived caching for hashed assets, and a
 * history fallback so deep links such as `/trace/<id>` survive a reload.
 */
export async function uiRoutes(app: FastifyInstance, opts: UiRoutesOptions): Promise<void> {
  const root = path.resolve(opts.distDir);
  await app.register(fastifyStatic, { root, serve: false });

  app.get('/loupe/config', async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send(opts.clientConfig);
  });

  const sendIndex = async (reply: FastifyReply, pathname = '/', search = ''): Promise<FastifyReply> => {
    if (!(await isFile(path.join(root, 'index.html')))) {
      return reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    // The shell must be revalidated so a new build is picked up at once.
    reply.header('cache-control', 'no-cache');
    if (opts.prerenderTracePage && pathname.startsWith('/trace/')) {
      const html = await readFile(path.join(root, 'index.html'), 'utf8');
      const start = html.indexOf(ROOT_START);
      const end = html.indexOf(ROOT_END);
      if (start >= 0 && end > start) {
        const rendering = opts.prerenderTracePage(pathname, search, reply.request);
        return sendTracePage(reply, html, start, end, rendering);
      }
    }
    return reply.sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/*', async (request, reply) => {
    const pathname = request.url.split('?')[0];
    if (isApiPath(pathname)) return reply.callNotFound();
    if (pathname === '/' || pathname === '/index.html') return sendIndex(reply);
    const search = request.url.slice(pathname.length);
    const file = resolveInside(root, pathname);
    if (file && (await isFile(file))) {
      const relative = path.relative(root, file);
      if (pathname.startsWith(HASHED_ASSETS)) {
        return reply.sendFile(relative, root, { maxAge: '365d', immutable: true });
      }
      return reply.sendFile(relative, root, { maxAge: '1h' });
    }
    if (acceptsHtml(request, pathname)) return sendIndex(reply, pathname, search);
    return reply.callNotFound();
  });
}

/**
 * Sends index.html in two parts: the head at once, so the browser fetches the app's code and the
 * trace meanwhile, then `#root`, with the rendered page in it when there is one (inert until the
 * app takes it over), or as built.
 */
function sendTracePage(
  reply: FastifyReply,
  html: string,
  start: number,
  end: number,
  rendering: Promise<string | null>,
): FastifyReply {
  const body = new PassThrough();
  body.write(html.slice(0, start));
  void rendering.then((page) => {
    body.end(
      page === null
        ? html.slice(start)
        : `<div id="root" data-prerendered="" inert="">${page}</div>${html.slice(end + ROOT_END.length)}`,
    );
  });
  return reply.type('text/html; charset=utf-8').send(body);
}
