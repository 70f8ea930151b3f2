/**
 * Every coded error Loupe answers with, in one place. An error class sets `code` from here and a
 * 4xx `statusCode` when the request is at fault; the receivers' classifier and the APIs' error
 * handlers switch on these constants, never on string literals, so a renamed code cannot leave a
 * branch silently dead. This folder imports nothing: every module may use it.
 *
 * | code | status | raised by | meaning |
 * | --- | --- | --- | --- |
 * | CONFIG | – | config reader | a config file Loupe refuses to start with |
 * | TENANT | 400 / 401 | tenancy | `X-Scope-OrgID` missing (multi-tenant) or malformed |
 * | AUTH | 401 / 403 | tenancy (`auth:`) | credentials missing or wrong (401), or valid for another tenant than `X-Scope-OrgID` names (403) |
 * | OTLP_DECODE | 400 | OTLP codecs | a body that is not a well-formed OTLP message |
 * | NO_VALID_SPANS | 400 | distributor | every span of the request was refused |
 * | CONTENT_ENCODING | 415 | receivers (gzip) | a `Content-Encoding` Loupe does not read |
 * | POOL_FULL | 503 | backend pool | the block write queue is full: retry later |
 * | BLOCK_FORMAT | – | block store | a block whose `meta.format` no registered format reads |
 * | BACKEND_KEY | – | backend | an object key the backend refuses (a bug, not input) |
 * | RETENTION | – | retention | some expired blocks could not be deleted |
 * | TRACE_ID | 400 | trace by ID | a trace ID that is not hex of at most 32 digits |
 * | TIME_RANGE | 400 | trace by ID | `start`/`end` malformed or reversed |
 * | LOGS_REQUEST | 4xx | logs API | a Loki request Loupe refuses (the message says why) |
 * | LOGS_RATE_LIMIT | 429 | logs ingest | a tenant over its ingestion rate: retry later |
 * | LOGQL_PARSE | 400 | LogQL | a query that does not parse (with line and column) |
 * | TRACEQL_PARSE | 400 | TraceQL | a query that does not parse or type-check (with line and column) |
 * | SEARCH_REQUEST | 400 | search API | a search or tag parameter Loupe refuses (the message says which) |
 * | PROMQL_PARSE | 400 | PromQL | a query that does not parse (with line:column) |
 * | PROMQL_EXECUTION | 422 | PromQL | a query that parses but cannot be evaluated |
 * | BAD_DATA | 400 | Prometheus API | a parameter Prometheus would call `bad_data` |
 * | REGEX | 400 | query guards | a regex RE2 refuses |
 * | QUERY_TIMEOUT | 503 / 504 | query guards | a query past its `query_timeout` |
 * | QUERY_CANCELLED | 499 | query guards | the client went away; the query stopped |
 * | TENANT_LIMIT | 413 / 429 | distributor, ingester, search | a tenant over one of its limits (429: retry later; 413: can never pass) |
 */
export const ErrorCode = {
  CONFIG: 'LOUPE_ERR_CONFIG',
  TENANT: 'LOUPE_ERR_TENANT',
  AUTH: 'LOUPE_ERR_AUTH',
  OTLP_DECODE: 'LOUPE_ERR_OTLP_DECODE',
  NO_VALID_SPANS: 'LOUPE_ERR_NO_VALID_SPANS',
  CONTENT_ENCODING: 'LOUPE_ERR_CONTENT_ENCODING',
  POOL_FULL: 'LOUPE_ERR_POOL_FULL',
  BLOCK_FORMAT: 'LOUPE_ERR_BLOCK_FORMAT',
  BACKEND_KEY: 'LOUPE_ERR_BACKEND_KEY',
  RETENTION: 'LOUPE_ERR_RETENTION',
  TRACE_ID: 'LOUPE_ERR_TRACE_ID',
  TIME_RANGE: 'LOUPE_ERR_TIME_RANGE',
  LOGS_REQUEST: 'LOUPE_ERR_LOGS_REQUEST',
  LOGS_RATE_LIMIT: 'LOUPE_ERR_LOGS_RATE_LIMIT',
  LOGQL_PARSE: 'LOUPE_ERR_LOGQL_PARSE',
  TRACEQL_PARSE: 'LOUPE_ERR_TRACEQL_PARSE',
  SEARCH_REQUEST: 'LOUPE_ERR_SEARCH_REQUEST',
  PROMQL_PARSE: 'LOUPE_ERR_PROMQL_PARSE',
  PROMQL_EXECUTION: 'LOUPE_ERR_PROMQL_EXECUTION',
  BAD_DATA: 'LOUPE_ERR_BAD_DATA',
  REGEX: 'LOUPE_ERR_REGEX',
  QUERY_TIMEOUT: 'LOUPE_ERR_QUERY_TIMEOUT',
  QUERY_CANCELLED: 'LOUPE_ERR_QUERY_CANCELLED',
  TENANT_LIMIT: 'LOUPE_ERR_TENANT_LIMIT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
