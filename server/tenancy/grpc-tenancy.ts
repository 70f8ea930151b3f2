import type { Metadata } from '@grpc/grpc-js';
import { type Authenticator, tenantOfCredentials } from './auth';
import { ORG_ID_HEADER, resolveTenant } from './tenant';

/**
 * The tenant of a gRPC call: the same rule as HTTP's `request.tenantId`, read from the call's
 * `x-scope-orgid` metadata (several values are refused unless they agree) and, with `auth:`,
 * its `authorization` metadata, checked first. Throws `TenantError` or `AuthError`.
 */
export function grpcTenant(metadata: Metadata, multitenancyEnabled: boolean, auth?: Authenticator): string {
  const values = metadata.get(ORG_ID_HEADER).map(String);
  const orgId = values.length > 0 ? values : undefined;
  if (!auth) return resolveTenant(orgId, multitenancyEnabled);
  const credentialsTenant = auth.authenticate(metadata.get('authorization').map(String));
  return tenantOfCredentials(orgId, multitenancyEnabled, credentialsTenant);
}
