import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AUTH_CHALLENGES, AuthError, Authenticator, tenantOfCredentials } from './auth';
import type { AuthConfig } from './auth-config';
import { ORG_ID_HEADER, resolveTenant } from './tenant';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The tenant this request belongs to (Tempo's rules: `single-tenant` while multi-tenancy is
     * off, else `X-Scope-OrgID`; with `auth:`, the tenant of the credentials, which the header
     * may only repeat). Reading it throws `TenantError` (401 missing, 400 invalid) or `AuthError`
     * (403 another tenant's credentials), which each API's error handler answers in its own
     * format; routes that never read it (health, UI) need no header.
     */
    readonly tenantId: string;
    /**
     * The tenant this request would belong to if its `X-Scope-OrgID` were `orgId`: for a tenant
     * named elsewhere than in the header (the UI's `?tenant=` on a trace page). Same rules and errors.
     */
    tenantFor(orgId: string | string[] | undefined): string;
    /** With `auth:`, the tenant whose credentials the request carries (undefined on open routes). */
    authTenant: string | undefined;
  }
}

export interface TenancyOptions {
  multitenancyEnabled: boolean;
  /** `auth:`; absent: no credentials are asked for (`X-Scope-OrgID` alone names the tenant). */
  auth?: AuthConfig;
}

/**
 * Routes answered without credentials even with `auth:`: health checks and Grafana's data source
 * test, which must work before (and whatever) credentials are set, and `/metrics`, scraped by
 * Prometheus as Tempo's is (it holds no trace data, only counts and span metrics per tenant:
 * docs/operations.md#authentication). CORS preflights (`OPTIONS`) never carry credentials.
 */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/ready', '/api/echo', '/metrics']);

/**
 * Resolves the tenant once per app, for every route in it: routes read `request.tenantId`
 * instead of each taking `multitenancyEnabled` and the header. Registered on the :3200 API app
 * and the OTLP/HTTP receiver (not encapsulated, so nested plugins see it). With `auth:`, every
 * request but the `OPEN_ROUTES` must carry credentials, checked before its body is read:
 * otherwise 401 with `WWW-Authenticate` (a browser then asks for a username and password).
 */
export const httpTenancy = fp<TenancyOptions>(
  async (app, opts) => {
    const authenticator = opts.auth && new Authenticator(opts.auth);
    app.decorateRequest('authTenant', undefined);
    app.decorateRequest('tenantFor', function (this: FastifyRequest, orgId: string | string[] | undefined) {
      if (!authenticator) return resolveTenant(orgId, opts.multitenancyEnabled);
      if (this.authTenant === undefined)
        throw new AuthError('no credentials were checked on this route', 401);
      return tenantOfCredentials(orgId, opts.multitenancyEnabled, this.authTenant);
    });
    app.decorateRequest('tenantId', {
      getter(this: FastifyRequest) {
        return this.tenantFor(this.headers[ORG_ID_HEADER]);
      },
    });
    if (!authenticator) return;
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS' || OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
      try {
        request.authTenant = authenticator.authenticate(request.headers.authorization);
      } catch (err) {
        // Kept by every API's error handler, which only sets the status and the body.
        reply.header('www-authenticate', AUTH_CHALLENGES);
        throw err;
      }
    });
  },
  { name: 'loupe-tenancy', fastify: '5.x' },
);
