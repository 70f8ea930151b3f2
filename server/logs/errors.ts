import { ErrorCode } from '../errors/error-codes';

/**
 * A request the logs API refuses: the status is a 4xx and the message says what to fix. Loki
 * answers these as plain text, and Grafana shows the text to the user.
 */
export class LogsRequestError extends Error {
  readonly code: string = ErrorCode.LOGS_REQUEST;
  constructor(
    message: string,
    readonly statusCode: number = 400,
  ) {
    super(message);
  }
}

/** A push over the tenant's ingestion rate: 429, as Loki answers it. */
export class RateLimitError extends LogsRequestError {
  override readonly code = ErrorCode.LOGS_RATE_LIMIT;
  constructor(message: string) {
    super(message, 429);
  }
}
