import * as grpc from '@grpc/grpc-js';
import Fastify, { type FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AUTH_CHALLENGES, AuthError, Authenticator, authorizationFor, tenantOfCredentials } from './auth';
import type { AuthConfig } from './auth-config';
import { grpcTenant } from './grpc-tenancy';
import { httpTenancy } from './http-tenancy';
import { SINGLE_TENANT_ID, TenantError } from './tenant';

const AUTH: AuthConfig = {
  tenants: [
    {
      tenantId: 'team-a',
      bearerTokens: ['token-a', 'token-a2'],
      basic: [{ username: 'ann', password: 'pa:ss' }],
    },
    { tenantId: 'team-b', bearerTokens: [], basic: [{ username: 'bob', password: 'pässwörd' }] },
  ],
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

function refusal(run: () => unknown): AuthError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('LOUPE_ERR_AUTH');
    return err as AuthError;
  }
  throw new Error('expected an AuthError');
}

describe('Authenticator', () => {
  const auth = new Authenticator(AUTH);

  it('names the tenant of a bearer token or a basic user, whatever the scheme case', () => {
    expect(auth.authenticate('Bearer token-a')).toBe('team-a');
    expect(auth.authenticate('bearer   token-a2 ')).toBe('team-a');
    expect(auth.authenticate(basic('ann', 'pa:ss'))).toBe('team-a');
    expect(auth.authenticate(basic('bob', 'pässwörd'))).toBe('team-b');
    expect(auth.authenticate(`BASIC ${basic('bob', 'pässwörd').slice(6)}`)).toBe('team-b');
    expect(auth.authenticate(['Bearer token-a', 'Bearer nope'])).toBe('team-a');
  });

  it.each([
    ['absent', undefined, 'no credentials: send "Authorization: Bearer <token>"'],
    ['empty', '', 'no credentials'],
    ['no metadata values', [], 'no credentials'],
    ['an unknown token', 'Bearer token-b', 'invalid credentials'],
    ['a token prefix', 'Bearer token-', 'invalid credentials'],
    ['an empty token', 'Bearer', 'invalid credentials'],
    ['a known user with the wrong password', basic('ann', 'pa'), 'invalid credentials'],
    ["another user's password", basic('bob', 'pa:ss'), 'invalid credentials'],
    ['a password sent as a token', 'Bearer pa:ss', 'invalid credentials'],
    ['a token sent as a username', basic('token-a', ''), 'invalid credentials'],
    ['basic without a colon', `Basic ${Buffer.from('ann').toString('base64')}`, 'invalid credentials'],
    ['basic that is not base64', 'Basic ***', 'invalid credentials'],
    ['another scheme', 'Digest username="ann"', 'unsupported Authorization scheme "Digest"'],
    ['a bare token', 'token-a', 'unsupported Authorization scheme "token-a"'],
  ])('answers 401 for %s', (_name, header, message) => {
    const err = refusal(() => auth.authenticate(header));
    expect(err.statusCode).toBe(401);
    expect(err.message).toContain(message);
    expect(err.message).not.toContain('token-a2');
  });
});

describe('tenantOfCredentials', () => {
  it('takes the credentials’ tenant when X-Scope-OrgID is absent, and the header when it agrees', () => {
    expect(tenantOfCredentials(undefined, true, 'team-a')).toBe('team-a');
    expect(tenantOfCredentials('', true, 'team-a')).toBe('team-a');
    expect(tenantOfCredentials([], true, 'team-a')).toBe('team-a');
    expect(tenantOfCredentials('team-a', true, 'team-a')).toBe('team-a');
    expect(tenantOfCredentials(['team-a', 'team-a'], true, 'team-a')).toBe('team-a');
  });

  it('answers 403 when the header names another tenant, 400 when it is invalid', () => {
    const err = refusal(() => tenantOfCredentials('team-b', true, 'team-a'));
    expect(err.statusCode).toBe(403);
    expect(err.message).toBe(
      'the credentials sent are for tenant "team-a", not "team-b": send that tenant\'s credentials, or no X-Scope-OrgID',
    );
    expect(() => tenantOfCredentials('../x', true, 'team-a')).toThrow(TenantError);
    expect(() => tenantOfCredentials(['team-a', 'team-b'], true, 'team-a')).toThrow(
      'multiple org IDs present',
    );
  });

  it('is single-tenant with multi-tenancy off, whatever the header says', () => {
    expect(tenantOfCredentials('team-b', false, SINGLE_TENANT_ID)).toBe(SINGLE_TENANT_ID);
    expect(refusal(() => tenantOfCredentials(undefined, false, 'team-a')).statusCode).toBe(403);
  });
});

describe('authorizationFor', () => {
  it("sends a tenant's first token, else its first basic user", () => {
    expect(authorizationFor(AUTH, 'team-a')).toBe('Bearer token-a');
    expect(authorizationFor(AUTH, 'team-b')).toBe(basic('bob', 'pässwörd'));
    expect(new Authenticator(AUTH).authenticate(authorizationFor(AUTH, 'team-b'))).toBe('team-b');
    expect(authorizationFor(AUTH, 'team-c')).toBeUndefined();
    expect(authorizationFor(undefined, 'team-a')).toBeUndefined();
  });
});

/** An app as Loupe builds them: tenancy at the root, routes in nested plugins with their own error format. */
async function appWith(multitenancyEnabled: boolean, auth?: AuthConfig) {
  const app = Fastify();
  app.setErrorHandler((err: FastifyError, _request, reply) =>
    reply.code(err.statusCode ?? 500).send(err.message),
  );
  await app.register(httpTenancy, { multitenancyEnabled, auth });
  await app.register(async (nested) => {
    nested.setErrorHandler((err: FastifyError, _request, reply) =>
      reply.code(err.statusCode ?? 500).send({ status: 'error', error: err.message }),
    );
    nested.get('/whoami', async (request) => request.tenantId);
    nested.get('/page', async (request) => request.tenantFor((request.query as { tenant?: string }).tenant));
    nested.post('/push', async (request) => request.tenantId);
    for (const open of ['/ready', '/api/echo', '/metrics']) nested.get(open, async () => 'open');
  });
  return app;
}

describe('httpTenancy with auth', () => {
  it('checks credentials on every route but the open ones, before the handler', async () => {
    const app = await appWith(true, AUTH);
    const missing = await app.inject({ url: '/whoami', headers: { 'x-scope-orgid': 'team-a' } });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toEqual(AUTH_CHALLENGES);
    expect(missing.json().error).toContain('no credentials');
    const wrong = await app.inject({ method: 'POST', url: '/push', headers: { authorization: 'Bearer x' } });
    expect([wrong.statusCode, wrong.json().error]).toEqual([
      401,
      expect.stringContaining('invalid credentials'),
    ]);
    const unknownRoute = await app.inject({ url: '/nowhere' });
    expect(unknownRoute.statusCode).toBe(401);
    for (const open of ['/ready', '/api/echo', '/metrics', '/ready?x=1']) {
      const res = await app.inject({ url: open });
      expect([open, res.statusCode, res.body]).toEqual([open, 200, 'open']);
    }
    expect((await app.inject({ method: 'HEAD', url: '/ready' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'OPTIONS', url: '/push' })).statusCode).toBe(404);
  });

  it('takes the tenant from the credentials, or from X-Scope-OrgID when it agrees', async () => {
    const app = await appWith(true, AUTH);
    const asBob = { authorization: basic('bob', 'pässwörd') };
    expect((await app.inject({ url: '/whoami', headers: asBob })).body).toBe('team-b');
    const same = await app.inject({ url: '/whoami', headers: { ...asBob, 'x-scope-orgid': 'team-b' } });
    expect(same.body).toBe('team-b');
    const other = await app.inject({ url: '/whoami', headers: { ...asBob, 'x-scope-orgid': 'team-a' } });
    expect(other.statusCode).toBe(403);
    expect(other.headers['www-authenticate']).toBeUndefined();
    const page = await app.inject({ url: '/page?tenant=team-a', headers: asBob });
    expect(page.statusCode).toBe(403);
    expect((await app.inject({ url: '/page', headers: asBob })).body).toBe('team-b');
  });

  it('is single-tenant with multi-tenancy off', async () => {
    const app = await appWith(false, {
      tenants: [{ tenantId: SINGLE_TENANT_ID, bearerTokens: ['t'], basic: [] }],
    });
    const res = await app.inject({
      url: '/whoami',
      headers: { authorization: 'Bearer t', 'x-scope-orgid': 'x' },
    });
    expect(res.body).toBe(SINGLE_TENANT_ID);
    expect((await app.inject({ url: '/whoami' })).statusCode).toBe(401);
  });

  it('changes nothing without auth', async () => {
    const app = await appWith(true);
    expect((await app.inject({ url: '/whoami', headers: { 'x-scope-orgid': 'acme' } })).body).toBe('acme');
    expect((await app.inject({ url: '/page?tenant=acme' })).body).toBe('acme');
    const res = await app.inject({ url: '/whoami', headers: { authorization: 'Bearer token-a' } });
    expect([res.statusCode, res.headers['www-authenticate']]).toEqual([401, undefined]);
  });
});

describe('grpcTenant with auth', () => {
  const metadata = (entries: [string, string][]) => {
    const m = new grpc.Metadata();
    for (const [k, v] of entries) m.add(k, v);
    return m;
  };
  const auth = new Authenticator(AUTH);

  it('reads the authorization metadata, then X-Scope-OrgID as over HTTP', () => {
    expect(grpcTenant(metadata([['authorization', 'Bearer token-a']]), true, auth)).toBe('team-a');
    expect(
      grpcTenant(
        metadata([
          ['authorization', 'Bearer token-a'],
          ['x-scope-orgid', 'team-a'],
        ]),
        true,
        auth,
      ),
    ).toBe('team-a');
    expect(refusal(() => grpcTenant(metadata([['x-scope-orgid', 'team-a']]), true, auth)).statusCode).toBe(
      401,
    );
    const crossing = metadata([
      ['authorization', 'Bearer token-a'],
      ['x-scope-orgid', 'team-b'],
    ]);
    expect(refusal(() => grpcTenant(crossing, true, auth)).statusCode).toBe(403);
  });
});
