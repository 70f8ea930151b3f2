import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ORG_ID_HEADER, resolveTenant } from './tenant';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The tenant this request belongs to (Tempo's rules: `single-tenant` while multi-tenancy is
     * off, else `X-Scope-OrgID`). Reading it throws `TenantError` (401 missing, 400 invalid),
     * which each API's error handler answers in its own format; routes that never read it
     * (health, UI) need no header.
     */
    readonly tenantId: string;
  }
}

export interface TenancyOptions {
  multitenancyEnabled: boolean;
}

/**
 * Resolves the tenant once per app, for every route in it: routes read `request.tenantId`
 * instead of each taking `multitenancyEnabled` and the header. Registered on the :3200 API app
 * and the OTLP/HTTP receiver (not encapsulated, so nested plugins see it).
 */
export const httpTenancy = fp<TenancyOptions>(
  async (app, opts) => {
    app.decorateRequest('tenantId', {
      getter(this: FastifyRequest) {
        return resolveTenant(this.headers[ORG_ID_HEADER], opts.multitenancyEnabled);
      },
    });
  },
  { name: 'loupe-tenancy', fastify: '5.x' },
);
