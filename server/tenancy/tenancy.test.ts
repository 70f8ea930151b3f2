import * as grpc from '@grpc/grpc-js';
import Fastify, { type FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { grpcTenant } from './grpc-tenancy';
import { httpTenancy } from './http-tenancy';
import { SINGLE_TENANT_ID, TenantError } from './tenant';

/** An app as Loupe builds them: tenancy at the root, routes in nested (encapsulated) plugins. */
async function appWith(multitenancyEnabled: boolean) {
  const app = Fastify();
  app.setErrorHandler((err: FastifyError, _request, reply) =>
    reply.code(err.statusCode ?? 500).send(err.message),
  );
  await app.register(httpTenancy, { multitenancyEnabled });
  await app.register(async (nested) => {
    nested.get('/whoami', async (request) => request.tenantId);
    nested.get('/health', async () => 'ok');
  });
  return app;
}

describe('request.tenantId', () => {
  it('is single-tenant while multi-tenancy is off, whatever the header says', async () => {
    const app = await appWith(false);
    const res = await app.inject({ url: '/whoami', headers: { 'x-scope-orgid': 'acme' } });
    expect(res.body).toBe(SINGLE_TENANT_ID);
  });

  it('is X-Scope-OrgID with multi-tenancy on, for routes in nested plugins too', async () => {
    const app = await appWith(true);
    const res = await app.inject({ url: '/whoami', headers: { 'x-scope-orgid': 'acme' } });
    expect([res.statusCode, res.body]).toEqual([200, 'acme']);
  });

  it('answers 401 without the header and 400 for a bad one, only on routes that read it', async () => {
    const app = await appWith(true);
    expect((await app.inject({ url: '/whoami' })).statusCode).toBe(401);
    const bad = await app.inject({ url: '/whoami', headers: { 'x-scope-orgid': '../etc' } });
    expect([bad.statusCode, bad.body]).toEqual([
      400,
      "tenant ID '../etc' contains unsupported character '/'",
    ]);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});

describe('grpcTenant', () => {
  const metadata = (...values: string[]) => {
    const m = new grpc.Metadata();
    for (const v of values) m.add('x-scope-orgid', v);
    return m;
  };

  it('follows the same rule as HTTP', () => {
    expect(grpcTenant(metadata(), false)).toBe(SINGLE_TENANT_ID);
    expect(grpcTenant(metadata('acme'), true)).toBe('acme');
    expect(grpcTenant(metadata('acme', 'acme'), true)).toBe('acme');
    expect(() => grpcTenant(metadata(), true)).toThrow(TenantError);
    expect(() => grpcTenant(metadata('a', 'b'), true)).toThrow('multiple org IDs present');
  });
});
