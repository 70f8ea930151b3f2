/**
 * TraceQL's syntax tree, as `parseTraceQL` builds it and the compilers read it. It keeps what a
 * query means, not how it was spelled: aliases are resolved (`span:duration` and `duration` are
 * one intrinsic), `{}` is `{ true }`, `x = nil` is an existence test, a literal compared with a
 * field is on the right, and a parenthesised pipeline used as a whole stage is flattened.
 */

/**
 * What a query reads. `unscoped` is `.foo` (the span's attribute, else its resource's, as Tempo
 * resolves it). Intrinsics have one canonical name each, Tempo's own (`Intrinsic.String()`):
 *
 * - scope `intrinsic`: `name`, `status`, `statusMessage`, `kind`, `duration`, `span:id`,
 *   `span:parentID`, `span:childCount`, `event:name`, `event:timeSinceStart`, `link:traceID`,
 *   `link:spanID`
 * - scope `trace`: `rootName`, `rootServiceName`, `traceDuration`, `trace:id`
 *
 * `span:name`, `span:status`, `span:duration`, `span:kind`, `span:statusMessage`, `trace:rootName`,
 * `trace:rootService` and `trace:duration` are parsed into those names.
 */
export interface FieldRef {
  scope: 'span' | 'resource' | 'event' | 'link' | 'unscoped' | 'intrinsic' | 'trace';
  name: string;
}

export type StatusName = 'unset' | 'ok' | 'error';
export type KindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** A literal; durations in nanoseconds. Ints and floats are both JavaScript numbers. */
export type Literal =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'duration'; nanos: number }
  | { type: 'bool'; value: boolean }
  | { type: 'status'; value: StatusName }
  | { type: 'kind'; value: KindName }
  | { type: 'nil' };

export type ComparisonOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

/** The expression inside `{ … }`, evaluated on one span at a time. */
export type FieldExpr =
  | { kind: 'literal'; literal: Literal }
  | { kind: 'field'; field: FieldRef }
  /** `left op right`; a literal is always on the right when the other side is a field. */
  | { kind: 'compare'; op: ComparisonOp; left: FieldExpr; right: FieldExpr }
  /** `field != nil` (`exists: true`) and `field = nil` (`exists: false`). */
  | { kind: 'exists'; field: FieldRef; exists: boolean }
  /** `&&` and `||` have one precedence and associate to the left, as in Tempo's grammar. */
  | { kind: 'logical'; op: '&&' | '||'; left: FieldExpr; right: FieldExpr }
  | { kind: 'not'; operand: FieldExpr };

/**
 * Operators between spansets. `&&`/`||`: the trace must match both/either side; the result is the
 * union of both sides' spans. Structural operators return right-hand spans related to some
 * left-hand span: `>` child, `<` parent, `>>` descendant, `<<` ancestor, `~` sibling; `!`-forms
 * return right-hand spans without that relation; `&`-forms return the related spans of both sides.
 */
export type SpansetOp = '&&' | '||' | StructuralOp;
export type StructuralOp =
  | '>'
  | '<'
  | '>>'
  | '<<'
  | '~'
  | '!>'
  | '!<'
  | '!>>'
  | '!<<'
  | '!~'
  | '&>'
  | '&<'
  | '&>>'
  | '&<<'
  | '&~';

export type SpansetExpr =
  | { kind: 'filter'; expr: FieldExpr }
  | { kind: 'spansetOp'; op: SpansetOp; left: SpansetExpr; right: SpansetExpr }
  /** A parenthesised pipeline used as an operand of a spanset operator: `({ a } | count() > 1) && { b }`. */
  | { kind: 'pipeline'; pipeline: Pipeline };

export type AggregateFn = 'count' | 'avg' | 'min' | 'max' | 'sum';

export interface Aggregate {
  fn: AggregateFn;
  /** Absent for `count()` only. */
  field?: FieldRef;
}

export type ScalarOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

export type Stage =
  | { kind: 'spanset'; expr: SpansetExpr }
  /** `| count() > 2`, `| avg(duration) > 20ms`: keeps the spansets whose aggregate compares true. */
  | { kind: 'scalarFilter'; aggregate: Aggregate; op: ScalarOp; value: Literal }
  | { kind: 'by'; field: FieldRef }
  | { kind: 'select'; fields: FieldRef[] }
  | { kind: 'coalesce' };

export interface Pipeline {
  stages: Stage[];
}
