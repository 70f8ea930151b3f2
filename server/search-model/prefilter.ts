import type { AttributeValue } from './search-trace';

/**
 * A field a query names. `unscoped` is TraceQL's `.foo` (span attribute, else resource);
 * `intrinsic` a span's own fact (`name`, `status`, `kind`, `duration`, `statusMessage`,
 * `event:name`, `span:id`…); `trace` a trace-level fact (`rootName`, `rootServiceName`,
 * `traceDuration`, `trace:id`).
 */
export interface FieldRef {
  scope: 'span' | 'resource' | 'event' | 'link' | 'unscoped' | 'intrinsic' | 'trace';
  name: string;
}

export type ComparisonOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

/**
 * A necessary condition of a query: a trace can only match if it holds, so storage may skip
 * whatever cannot satisfy it without evaluating the query. `span` reads "some span of the trace
 * has `field op value`" (for the `trace` scope, the trace itself). Durations are nanoseconds,
 * statuses and kinds their OTLP enum numbers; `null` is TraceQL's `nil`.
 */
export type Prefilter =
  | { kind: 'true' }
  | { kind: 'and'; items: Prefilter[] }
  | { kind: 'or'; items: Prefilter[] }
  | { kind: 'span'; field: FieldRef; op: ComparisonOp; value: AttributeValue | null };

export const MATCH_ALL: Prefilter = { kind: 'true' };
