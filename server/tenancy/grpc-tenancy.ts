import type { Metadata } from '@grpc/grpc-js';
import { ORG_ID_HEADER, resolveTenant } from './tenant';

/**
 * The tenant of a gRPC call: the same rule as HTTP's `request.tenantId`, read from the call's
 * `x-scope-orgid` metadata (several values are refused unless they agree). Throws `TenantError`.
 */
export function grpcTenant(metadata: Metadata, multitenancyEnabled: boolean): string {
  const values = metadata.get(ORG_ID_HEADER).map(String);
  return resolveTenant(values.length > 0 ? values : undefined, multitenancyEnabled);
}
