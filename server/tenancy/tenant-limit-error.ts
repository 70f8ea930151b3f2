import { ErrorCode } from '../errors/error-codes';

/**
 * A request refused by one of its tenant's limits. 429 (gRPC RESOURCE_EXHAUSTED): exporters retry
 * it, so nothing is lost; 413 (INVALID_ARGUMENT): the request can never pass as it is (the message
 * says which limit, and how to send it instead).
 */
export class TenantLimitError extends Error {
  readonly code = ErrorCode.TENANT_LIMIT;
  constructor(
    message: string,
    readonly statusCode: 413 | 429,
    /** `loupe_tenant_requests_refused_total` and `loupe_discarded_spans_total` reason. */
    readonly reason:
      | 'rate_limited'
      | 'request_too_large'
      | 'too_many_spans'
      | 'live_traces_exceeded'
      | 'concurrent_searches',
  ) {
    super(message);
  }
}
