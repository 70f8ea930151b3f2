import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { uiRoutes } from './ui-routes';

const clientConfig = { version: '1.2.3', multitenancyEnabled: true };

async function appWith(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(uiRoutes, { distDir, clientConfig });
  app.get('/api/echo', async () => 'echo');
  return app;
}

describe('uiRoutes', () => {
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'loupe-ui-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
    app = await appWith(dist);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the client config', async () => {
    const response = await app.inject('/loupe/config');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(clientConfig);
  });

  it('serves hashed assets with a long, immutable cache and the shell with none', async () => {
    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    const shell = await app.inject('/');
    expect(shell.body).toContain('<div id="root">');
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect((await app.inject('/favicon.svg')).statusCode).toBe(200);
  });

  it('answers deep links with the shell (history fallback)', async () => {
    const response = await app.inject({
      url: '/trace/4bf92f35?span=01',
      headers: { accept: 'text/html,*/*' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('<div id="root">');
  });

  it('never answers API paths or missing assets with the shell', async () => {
    for (const url of ['/api/nope', '/loki/api/v1/nope', '/prometheus/x', '/loupe/nope', '/metricsx/y']) {
      const response = await app.inject({ url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBe(url === '/metricsx/y' ? 200 : 404);
    }
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/api/echo')).body).toBe('echo');
  });

  it('refuses to serve files outside the build', async () => {
    const response = await app.inject({
      url: '/..%2f..%2fetc%2fpasswd',
      headers: { accept: 'application/json' },
    });
    expect(response.statusCode).toBe(404);
  });

  it('says how to build the UI when there is no build', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'loupe-ui-empty-'));
    const bare = await appWith(empty);
    const response = await bare.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('npm run build');
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  });
});
