import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { SelfMetrics } from '../../self-metrics/self-metrics';

export interface StatusRoutesOptions {
  version: string;
  metrics: SelfMetrics;
  isReady: () => boolean;
  /** Why a started process cannot do its job now (a failing backend), or undefined. */
  notReadyReason?: () => string | undefined;
}

/** Health and build endpoints Grafana and Prometheus expect from a Tempo. */
export async function statusRoutes(app: FastifyInstance, opts: StatusRoutesOptions): Promise<void> {
  // Grafana's data source "Test" button.
  app.get('/api/echo', async (_request, reply) => reply.type('text/plain').send('echo'));

  app.get('/ready', async (_request, reply) => {
    if (!opts.isReady()) return reply.code(503).type('text/plain').send('not ready: replaying WAL');
    const reason = opts.notReadyReason?.();
    if (reason) return reply.code(503).type('text/plain').send(`not ready: ${reason}`);
    return reply.type('text/plain').send('ready');
  });

  // Tempo's fields; Grafana enables features by version, so report a Tempo-compatible one.
  app.get('/api/status/buildinfo', async () => ({
    version: opts.version,
    revision: 'loupe',
    branch: 'main',
    buildUser: '',
    buildDate: '',
    goVersion: `node ${process.version}`,
  }));

  // Streamed as it is rendered: a scrape of many series is never one giant string.
  app.get('/metrics', async (request, reply) => {
    const { contentType, body } = opts.metrics.exposition(request.headers.accept);
    return reply.type(contentType).send(Readable.from(body, { objectMode: false }));
  });
}
