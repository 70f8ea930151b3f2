import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../errors/error-codes';
import type { AuthConfig } from './auth-config';
import { namedTenant, SINGLE_TENANT_ID } from './tenant';

/**
 * Authentication with `auth:` configured: a request's `Authorization` (HTTP header or gRPC
 * metadata) must be one of a tenant's credentials, and the tenant the request acts as is that
 * one. `X-Scope-OrgID` may still be sent (Grafana and collectors send it), but must then name
 * the same tenant.
 */

/** 401: no credentials, or none that Loupe knows; 403: valid credentials of another tenant. */
export class AuthError extends Error {
  readonly code = ErrorCode.AUTH;
  constructor(
    message: string,
    readonly statusCode: 401 | 403,
  ) {
    super(message);
  }
}

/**
 * The challenges sent with every 401 (two `WWW-Authenticate` headers): Basic first, so a browser
 * opening the UI asks for a username and password, then remembers them for the UI's own requests.
 */
export const AUTH_CHALLENGES = ['Basic realm="Loupe", charset="UTF-8"', 'Bearer realm="Loupe"'];

const HOW_TO_SEND =
  'send "Authorization: Bearer <token>" or basic auth (username and password) of a tenant in auth.tenants';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks credentials against `auth.tenants`. Secrets are kept and compared as SHA-256 digests
 * with `timingSafeEqual`, and every entry is compared whatever matched before, so the time an
 * answer takes says nothing about how close a guess was, nor which entry it matched.
 */
export class Authenticator {
  private readonly tokens: { digest: Buffer; tenantId: string }[] = [];
  private readonly users: { username: Buffer; password: Buffer; tenantId: string }[] = [];

  constructor(config: AuthConfig) {
    for (const tenant of config.tenants) {
      for (const token of tenant.bearerTokens)
        this.tokens.push({ digest: sha256(token), tenantId: tenant.tenantId });
      for (const { username, password } of tenant.basic) {
        this.users.push({
          username: sha256(username),
          password: sha256(password),
          tenantId: tenant.tenantId,
        });
      }
    }
  }

  /**
   * The tenant whose credentials `authorization` (the header's value) carries. Throws `AuthError`
   * 401 when there are none, they are malformed, or no tenant has them.
   */
  authenticate(authorization: string | string[] | undefined): string {
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    if (value === undefined || value.trim() === '')
      throw new AuthError(`no credentials: ${HOW_TO_SEND}`, 401);
    const match = /^\s*([A-Za-z][A-Za-z0-9._~+-]*)(?:\s+(.*))?$/s.exec(value);
    const scheme = match?.[1].toLowerCase();
    const rest = (match?.[2] ?? '').trim();
    let tenantId: string | undefined;
    if (scheme === 'bearer') tenantId = this.bearer(rest);
    else if (scheme === 'basic') tenantId = this.basic(rest);
    else {
      throw new AuthError(
        `unsupported Authorization scheme${match ? ` "${match[1]}"` : ''}: ${HOW_TO_SEND}`,
        401,
      );
    }
    if (tenantId === undefined) throw new AuthError(`invalid credentials: ${HOW_TO_SEND}`, 401);
    return tenantId;
  }

  private bearer(token: string): string | undefined {
    if (token === '') return undefined;
    const digest = sha256(token);
    let found: string | undefined;
    for (const entry of this.tokens) {
      if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.tenantId;
    }
    return found;
  }

  private basic(encoded: string): string | undefined {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = sha256(decoded.slice(0, colon));
    const password = sha256(decoded.slice(colon + 1));
    let found: string | undefined;
    for (const entry of this.users) {
      // Both compared every time (`&`, not `&&`): a known username must not answer faster.
      const same =
        Number(timingSafeEqual(username, entry.username)) & Number(timingSafeEqual(password, entry.password));
      if (same === 1 && found === undefined) found = entry.tenantId;
    }
    return found;
  }
}

/**
 * The tenant of a request whose credentials belong to `credentialsTenant`: that one when
 * `X-Scope-OrgID` is absent (so a Grafana data source with basic auth needs no custom header),
 * else the one the header names, which must be the same (403 otherwise; 400 when it is invalid).
 * With multi-tenancy off, `single-tenant` whatever the header says, as without `auth:`.
 */
export function tenantOfCredentials(
  orgIdHeader: string | string[] | undefined,
  multitenancyEnabled: boolean,
  credentialsTenant: string,
): string {
  const named = multitenancyEnabled ? namedTenant(orgIdHeader) : SINGLE_TENANT_ID;
  const tenantId = named ?? credentialsTenant;
  if (tenantId !== credentialsTenant) {
    throw new AuthError(
      `the credentials sent are for tenant "${credentialsTenant}", not "${tenantId}": send that tenant's credentials, or no X-Scope-OrgID`,
      403,
    );
  }
  return tenantId;
}

/**
 * The `Authorization` value a Loupe process sends another on behalf of `tenantId` (a querier
 * asking the ingesters for unflushed spans): the tenant's first token, else its first basic
 * user. Undefined without `auth:`, or for a tenant with no credentials (no request can act as it).
 */
export function authorizationFor(auth: AuthConfig | undefined, tenantId: string): string | undefined {
  const tenant = auth?.tenants.find((t) => t.tenantId === tenantId);
  if (!tenant) return undefined;
  if (tenant.bearerTokens.length > 0) return `Bearer ${tenant.bearerTokens[0]}`;
  const user = tenant.basic[0];
  return user && `Basic ${Buffer.from(`${user.username}:${user.password}`, 'utf8').toString('base64')}`;
}
