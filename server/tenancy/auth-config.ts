import { readFileSync } from 'node:fs';
import { ConfigError } from '../config-reader/config-values';
import { isMapping, type Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import { SINGLE_TENANT_ID, tenantIdProblem } from './tenant';

/**
 * Loupe's `auth:` section (Tempo has none: it leaves authentication to a proxy in front). Each
 * tenant lists the credentials that may write and read as it; with the section present, every
 * push and query must carry one (docs/configuration.md#auth). Absent: `X-Scope-OrgID` alone names
 * the tenant, as in Tempo.
 */
export interface AuthConfig {
  /** `auth.tenants`, in file order; every tenant has at least one credential. */
  tenants: TenantCredentials[];
}

export interface TenantCredentials {
  tenantId: string;
  /** `bearer_tokens`: sent as `Authorization: Bearer <token>`. */
  bearerTokens: string[];
  /** `basic`: sent as `Authorization: Basic base64(username:password)` (Grafana's basic auth). */
  basic: BasicCredential[];
}

export interface BasicCredential {
  username: string;
  /** `password`, or the content of `password_file` with surrounding whitespace trimmed. */
  password: string;
}

/** A token as it travels in a header: visible ASCII, no spaces (RFC 6750's token characters and more). */
const TOKEN = /^[\x21-\x7e]+$/;

function refuseUnknownKeys(entry: Record<string, unknown>, allowed: readonly string[], key: string): void {
  for (const name of Object.keys(entry)) {
    if (!allowed.includes(name)) {
      throw new ConfigError(`unknown config key "${key}.${name}" (see docs/configuration.md#auth)`);
    }
  }
}

/** A secret must be written as a string: YAML would turn `password: 012345` into the number 5349. */
function readSecret(value: unknown, key: string): string {
  if (typeof value !== 'string') {
    throw new ConfigError(
      `config key "${key}" must be a string${value === null || value === undefined ? '' : ' (put it in quotes)'}`,
    );
  }
  if (value === '') throw new ConfigError(`config key "${key}" must not be empty`);
  return value;
}

function readPasswordFile(value: unknown, key: string): string {
  const path = readSecret(value, key);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config key "${key}": cannot read "${path}": ${(err as Error).message}`);
  }
  // As Prometheus reads its password_file: a trailing newline (`echo pw > file`) is not part of it.
  const password = text.trim();
  if (password === '') throw new ConfigError(`config key "${key}": "${path}" is empty`);
  return password;
}

function readBearerTokens(value: unknown, key: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`config key "${key}" must be a list of tokens`);
  return value.map((token, i) => {
    const text = readSecret(token, `${key}[${i}]`);
    if (!TOKEN.test(text)) {
      throw new ConfigError(
        `config key "${key}[${i}]" must be printable ASCII without spaces, as it is sent in an HTTP header`,
      );
    }
    return text;
  });
}

function readBasic(value: unknown, key: string): BasicCredential[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ConfigError(`config key "${key}" must be a list of {username, password or password_file}`);
  }
  return value.map((entry, i) => {
    const at = `${key}[${i}]`;
    if (!isMapping(entry)) {
      throw new ConfigError(
        `config key "${at}" must be a mapping with username and password (or password_file)`,
      );
    }
    refuseUnknownKeys(entry, ['username', 'password', 'password_file'], at);
    const username = readSecret(entry.username, `${at}.username`);
    // RFC 7617: the user-id cannot hold a colon (the first one ends it); control characters never travel.
    if (username.includes(':') || /\p{Cc}/u.test(username)) {
      throw new ConfigError(`config key "${at}.username" must not contain ':' or control characters`);
    }
    const hasPassword = entry.password !== undefined;
    const hasFile = entry.password_file !== undefined;
    if (hasPassword === hasFile) {
      throw new ConfigError(`config key "${at}" needs exactly one of password and password_file`);
    }
    const password = hasPassword
      ? readSecret(entry.password, `${at}.password`)
      : readPasswordFile(entry.password_file, `${at}.password_file`);
    return { username, password };
  });
}

/**
 * `auth.tenants`: tenant ID → `bearer_tokens` and/or `basic`. Refuses, naming the key, a tenant
 * without credentials, an invalid tenant ID, an empty secret, and a credential that would name
 * two tenants (the same token twice, a username under two tenants): a credential picks its
 * tenant when a request does not send `X-Scope-OrgID`, so it must belong to exactly one.
 */
const readAuthTenants: ValueReader<TenantCredentials[]> = (value, key) => {
  if (!isMapping(value) || Object.keys(value).length === 0) {
    throw new ConfigError(
      `config key "${key}" must map each tenant ID to its credentials (bearer_tokens, basic)`,
    );
  }
  const tokenOwner = new Map<string, string>();
  const userOwner = new Map<string, string>();
  const tenants: TenantCredentials[] = [];
  for (const [tenantId, entry] of Object.entries(value)) {
    const at = `${key}.${tenantId}`;
    const problem = tenantIdProblem(tenantId);
    if (problem !== undefined) throw new ConfigError(`config key "${at}": ${problem}`);
    if (entry !== null && !isMapping(entry)) {
      throw new ConfigError(`config key "${at}" must be a mapping with bearer_tokens and/or basic`);
    }
    const fields = entry ?? {};
    refuseUnknownKeys(fields, ['bearer_tokens', 'basic'], at);
    const bearerTokens = readBearerTokens(fields.bearer_tokens, `${at}.bearer_tokens`);
    const basic = readBasic(fields.basic, `${at}.basic`);
    if (bearerTokens.length === 0 && basic.length === 0) {
      throw new ConfigError(
        `config key "${at}" has no credentials: give it bearer_tokens and/or basic (username and password)`,
      );
    }
    bearerTokens.forEach((token, i) => {
      const owner = tokenOwner.get(token);
      if (owner !== undefined) {
        throw new ConfigError(
          `config key "${at}.bearer_tokens[${i}]" repeats a token already given to ${owner}: a token belongs to one tenant`,
        );
      }
      tokenOwner.set(token, `"${at}"`);
    });
    const seen = new Set<string>();
    basic.forEach(({ username, password }, i) => {
      const owner = userOwner.get(username);
      if (owner !== undefined && owner !== tenantId) {
        throw new ConfigError(
          `config key "${at}.basic[${i}].username": user "${username}" is already a user of tenant "${owner}": a username belongs to one tenant`,
        );
      }
      // The same user twice in one tenant is a password being rotated; the same pair twice is a slip.
      const pair = `${username}\n${password}`;
      if (seen.has(pair)) {
        throw new ConfigError(
          `config key "${at}.basic[${i}]" repeats user "${username}" with the same password`,
        );
      }
      seen.add(pair);
      userOwner.set(username, tenantId);
    });
    tenants.push({ tenantId, bearerTokens, basic });
  }
  return tenants;
};

export const AUTH_SCHEMA: Section = {
  tenants: readAuthTenants,
};

/**
 * The `auth:` section, or undefined when the file has none (requests are not authenticated).
 * With multi-tenancy off every request belongs to `single-tenant`, so that is the only tenant
 * credentials can be listed for.
 */
export function buildAuthConfig(get: ConfigGetter): AuthConfig | undefined {
  const tenants = get<TenantCredentials[] | undefined>('auth.tenants', undefined);
  if (tenants === undefined) {
    if (get<unknown>('auth', undefined) === undefined) return undefined;
    throw new ConfigError(
      'config key "auth" needs "tenants": each tenant ID with its bearer_tokens and/or basic credentials (leave "auth" out to accept requests without credentials)',
    );
  }
  const multitenancyEnabled = get('multitenancy_enabled', get('auth_enabled', false));
  if (!multitenancyEnabled) {
    const other = tenants.find((t) => t.tenantId !== SINGLE_TENANT_ID);
    if (other !== undefined) {
      throw new ConfigError(
        `config key "auth.tenants.${other.tenantId}": multi-tenancy is off, so every request belongs to "${SINGLE_TENANT_ID}": list the credentials under auth.tenants.${SINGLE_TENANT_ID}, or set multitenancy_enabled: true`,
      );
    }
  }
  return { tenants };
}
