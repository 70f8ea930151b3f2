import type { FastifyInstance } from 'fastify';
import { acceptFormBodies } from '../../http-util/form-params';
import type { LogIngest } from '../ingest/log-ingest';
import type { LogsLimits } from '../logs-config';
import type { LogStore } from '../store/log-store';
import { pushRoutes } from './push-routes';
import { queryRoutes } from './query-routes';

export interface LogsRoutesOptions {
  store: LogStore;
  ingest: LogIngest;
  limits: LogsLimits;
  maxPushBytes: number;
  queryTimeoutMs: number;
  maxQuerySeries: number;
}

/** Loki's HTTP API as one encapsulated plugin, with Loki's error format: plain text, 4xx for bad input. */
export function logsRoutes(opts: LogsRoutesOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    // Errors: the :3200 app's handler already answers plain text with the status, as Loki does.
    acceptFormBodies(app);
    await app.register(queryRoutes, {
      store: opts.store,
      queryTimeoutMs: opts.queryTimeoutMs,
      maxQuerySeries: opts.maxQuerySeries,
    });
    await app.register(pushRoutes, {
      ingest: opts.ingest,
      limits: opts.limits,
      maxBodyBytes: opts.maxPushBytes,
    });
  };
}
