import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { TraceLookup } from '../query/find-trace';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { AuthConfig } from '../tenancy/auth-config';
import { httpTenancy } from '../tenancy/http-tenancy';
import type { Overrides } from '../tenancy/overrides';
import { statusRoutes } from './routes/status';
import { traceByIdRoutes } from './routes/trace-by-id';
import { tracePagePrerenderer } from './trace-page';
import { TracePageLookups } from './trace-page-lookups';
import { uiRoutes } from './ui-routes';

export interface ApiDeps {
  multitenancyEnabled: boolean;
  /** `auth:`: every route but the health ones asks for a tenant's credentials. */
  auth?: AuthConfig;
  /** Each signal module's settings for the UI, served at `/loupe/config`. */
  clientConfig: { logs: object; metrics: object };
  finder: TraceLookup;
  /** A trace-by-ID request answers 504 past this (`querier.trace_by_id.query_timeout`); none when absent. */
  traceByIdTimeoutMs?: number;
  /** Why a missing trace is missing, when known (tail sampling dropped it). */
  explainMissingTrace?: (tenantId: string, key: string) => string | undefined;
  /** Per-tenant limits (`max_bytes_per_trace` says why a trace is partial). */
  overrides: Overrides;
  metrics: SelfMetrics;
  logger: Logger;
  version: string;
  isReady: () => boolean;
  /** See `StatusRoutesOptions.notReadyReason`. */
  notReadyReason?: () => string | undefined;
  webDistDir: string;
  /** Other signals' APIs (`/loki`, `/prometheus`); each sets its own error format. */
  routes?: FastifyPluginAsync[];
}

/** The query face on :3200: Tempo's HTTP API, health endpoints, and the web UI. */
export async function buildApiApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Tempo answers errors as plain text, and Grafana shows that text to the user.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(status).type('text/plain').send(err.message);
  });
  await app.register(httpTenancy, { multitenancyEnabled: deps.multitenancyEnabled, auth: deps.auth });
  await app.register(statusRoutes, {
    version: deps.version,
    metrics: deps.metrics,
    isReady: deps.isReady,
    notReadyReason: deps.notReadyReason,
  });
  // Every trace-by-ID request goes through the page hand-off, so the app's first request can
  // take the answer its server-rendered page was made from.
  const lookups = new TracePageLookups(deps.finder);
  await app.register(traceByIdRoutes, {
    lookups,
    timeoutMs: deps.traceByIdTimeoutMs,
    overrides: deps.overrides,
    explainMissing: deps.explainMissingTrace,
  });
  for (const routes of deps.routes ?? []) await app.register(routes);
  await app.register(uiRoutes, {
    distDir: deps.webDistDir,
    clientConfig: {
      version: deps.version,
      multitenancyEnabled: deps.multitenancyEnabled,
      ...deps.clientConfig,
    },
    prerenderTracePage: tracePagePrerenderer({
      lookups,
      overrides: deps.overrides,
      log: app.log,
    }),
  });
  return app;
}
