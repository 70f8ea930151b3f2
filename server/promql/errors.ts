import { ErrorCode } from '../errors/error-codes';

/** A query that is not valid PromQL; `position` is a character offset into the query. */
export class PromqlParseError extends Error {
  readonly code = ErrorCode.PROMQL_PARSE;

  constructor(
    readonly detail: string,
    readonly position: number,
    query: string,
  ) {
    super(`${lineCol(query, position)}: parse error: ${detail}`);
  }
}

/** A valid query that cannot be evaluated on this data (Prometheus's `execution` errors). */
export class PromqlEvalError extends Error {
  readonly code = ErrorCode.PROMQL_EXECUTION;
}

/** Prometheus reports positions as `line:column`, both from 1. */
function lineCol(query: string, position: number): string {
  const before = query.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}
