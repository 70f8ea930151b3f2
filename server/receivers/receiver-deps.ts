import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import type { AuthConfig } from '../tenancy/auth-config';

/** What every receiver pushes through and answers with: the distributor, tenancy, credentials and log. */
export interface ReceiverIngestDeps {
  distributor: Distributor;
  multitenancyEnabled: boolean;
  /** `auth:`: every request or call must carry a tenant's credentials. */
  auth?: AuthConfig;
  logger: Logger;
}
