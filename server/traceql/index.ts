/** TraceQL for search: parse once, then evaluate per trace; see query.ts and prefilter.ts. */
export type {
  Aggregate,
  AggregateFn,
  ComparisonOp,
  FieldExpr,
  FieldRef,
  KindName,
  Literal,
  Pipeline,
  ScalarOp,
  SpansetExpr,
  SpansetOp,
  Stage,
  StatusName,
  StructuralOp,
} from './ast';
export { TraceQLParseError } from './errors';
export type { Prefilter } from './prefilter';
export { parseTraceQL, type SpanSetMatch, type TraceQLQuery } from './query';
export type { QueryFields } from './query-fields';
