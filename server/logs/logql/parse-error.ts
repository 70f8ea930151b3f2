import { ErrorCode } from '../../errors/error-codes';
import { LogsRequestError } from '../errors';

/**
 * A malformed query, worded like Loki's (`parse error at line 1, col 12: syntax error: …`) so
 * the message points at the spot to fix. Answered with 400.
 */
export class LogQLParseError extends LogsRequestError {
  override readonly code = ErrorCode.LOGQL_PARSE;
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(`parse error at line ${line}, col ${col}: ${detail}`, 400);
  }
}
