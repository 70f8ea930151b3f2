import type { FastifyError, FastifyInstance } from 'fastify';
import type { LogIngest } from '../ingest/log-ingest';
import type { LogsLimits } from '../logs-config';
import type { LogStore } from '../store/log-store';
import { pushRoutes } from './push-routes';
import { queryRoutes } from './query-routes';

export interface LogsRoutesOptions {
  store: LogStore;
  ingest: LogIngest;
  limits: LogsLimits;
  multitenancyEnabled: boolean;
  maxPushBytes: number;
}

/** Loki's HTTP API as one encapsulated plugin, with Loki's error format: plain text, 4xx for bad input. */
export function logsRoutes(opts: LogsRoutesOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) request.log.error({ err }, 'logs request failed');
      return reply.code(status).type('text/plain; charset=utf-8').send(err.message);
    });
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        const params: Record<string, string | string[]> = {};
        for (const [key, value] of new URLSearchParams(body as string)) {
          const existing = params[key];
          params[key] =
            existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
        }
        done(null, params);
      },
    );
    await app.register(queryRoutes, { store: opts.store, multitenancyEnabled: opts.multitenancyEnabled });
    await app.register(pushRoutes, {
      ingest: opts.ingest,
      limits: opts.limits,
      multitenancyEnabled: opts.multitenancyEnabled,
      maxBodyBytes: opts.maxPushBytes,
    });
  };
}
