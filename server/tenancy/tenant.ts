import { ErrorCode } from '../errors/error-codes';
import { isTempoRootObject } from '../store/backend/prefixes';

/**
 * Tenant resolution, following Tempo (and the dskit `tenant` package it uses): with
 * multi-tenancy off every request belongs to `single-tenant`; with it on, the `X-Scope-OrgID`
 * header is required and must be a safe tenant ID. Tenant IDs become folder names in the
 * backend, so the character rules are what keep `../x` out of the file system.
 */

/** The tenant every request belongs to while multi-tenancy is off (Tempo's name). */
export const SINGLE_TENANT_ID = 'single-tenant';

/** The header carrying the tenant, lower-cased as Node presents request headers. */
export const ORG_ID_HEADER = 'x-scope-orgid';

/** dskit's MaxTenantIDLength, in bytes (all allowed characters are one byte). */
export const MAX_TENANT_ID_LENGTH = 150;

/** 401 when the tenant is missing (Tempo answers "no org id"), 400 when it is not acceptable. */
export class TenantError extends Error {
  readonly code = ErrorCode.TENANT;
  constructor(
    message: string,
    readonly statusCode: 400 | 401,
  ) {
    super(message);
  }
}

const ALLOWED = /^[A-Za-z0-9!\-_.*'()]$/;

/**
 * The tenant a request belongs to. `headerValue` is the raw `X-Scope-OrgID` header as Node
 * gives it (a repeated header may arrive as an array). Throws `TenantError`.
 */
export function resolveTenant(
  headerValue: string | string[] | undefined,
  multitenancyEnabled: boolean,
): string {
  if (!multitenancyEnabled) return SINGLE_TENANT_ID;
  const id = namedTenant(headerValue);
  if (id === undefined) throw new TenantError('no org id', 401);
  return id;
}

/**
 * The tenant `X-Scope-OrgID` names, or undefined when the header is absent or empty (with
 * `auth:`, the credentials then name the tenant). Throws `TenantError` 400 for an invalid ID or
 * several different ones.
 */
export function namedTenant(headerValue: string | string[] | undefined): string | undefined {
  const id = singleValue(headerValue);
  if (id === undefined || id === '') return undefined;
  const problem = tenantIdProblem(id);
  if (problem !== undefined) throw new TenantError(problem, 400);
  return id;
}

/**
 * Why `id` is not a valid tenant ID, or undefined when it is. Same checks and order as dskit's
 * `ValidTenantID`: characters first, then length, then the `.` and `..` path segments; then the
 * two names Tempo uses at a bucket's root.
 */
export function tenantIdProblem(id: string): string | undefined {
  for (const ch of id) {
    if (!ALLOWED.test(ch)) {
      // `|` is how Tempo's query path joins several tenants; Loupe serves one tenant per request.
      const hint = ch === '|' ? ' (one tenant per request)' : '';
      return `tenant ID '${printable(id)}' contains unsupported character '${printable(ch)}'${hint}`;
    }
  }
  if (id.length > MAX_TENANT_ID_LENGTH)
    return `tenant ID is too long: max ${MAX_TENANT_ID_LENGTH} characters`;
  if (id === '.' || id === '..') return "tenant ID is '.' or '..'";
  // Tempo keeps these objects at a bucket's root; a tenant of that name could not be told from them.
  if (isTempoRootObject(id))
    return `tenant ID '${id}' is reserved: a bucket shared with Tempo holds Tempo's own object of that name`;
  return undefined;
}

function singleValue(headerValue: string | string[] | undefined): string | undefined {
  if (!Array.isArray(headerValue)) return headerValue;
  const distinct = [...new Set(headerValue)];
  if (distinct.length > 1) throw new TenantError('multiple org IDs present', 400);
  return distinct[0];
}

/** Control characters would corrupt the message (and logs); show them escaped. */
function printable(text: string): string {
  const shown = text.length > MAX_TENANT_ID_LENGTH ? `${text.slice(0, MAX_TENANT_ID_LENGTH)}…` : text;
  let out = '';
  for (const ch of shown) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}
