/** The LogQL subset Loupe evaluates, as the parser produces it. */

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type CompareOp = MatchOp | '==' | '>' | '>=' | '<' | '<=';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `|= "a" or "b"`: any of `values` (for the negative ops: none of them). */
export interface LineFilterStage {
  kind: 'line_filter';
  op: '|=' | '!=' | '|~' | '!~';
  values: string[];
}

export interface ParserStage {
  kind: 'logfmt' | 'json';
}

export interface LabelFilterStage {
  kind: 'label_filter';
  expr: LabelFilterExpr;
}

export interface LineFormatStage {
  kind: 'line_format';
  template: string;
}

/** `| regexp "(?P<name>…)"`: named groups become labels. */
export interface RegexpStage {
  kind: 'regexp';
  pattern: string;
}

/** `| drop a, b`: removes labels (typically `__error__`) from the result. */
export interface DropStage {
  kind: 'drop';
  names: string[];
}

export type PipelineStage =
  | LineFilterStage
  | ParserStage
  | LabelFilterStage
  | LineFormatStage
  | RegexpStage
  | DropStage;

/** A comparison on a label; `number` holds the parsed right side of a numeric or duration comparison. */
export interface LabelComparison {
  kind: 'compare';
  name: string;
  op: CompareOp;
  value: string;
  /** Set when the right side is a number or a duration (in seconds, as Loki compares them). */
  number?: number;
  isDuration?: boolean;
}

export interface LabelFilterBinary {
  kind: 'and' | 'or';
  left: LabelFilterExpr;
  right: LabelFilterExpr;
}

export type LabelFilterExpr = LabelComparison | LabelFilterBinary;

export interface LogQuery {
  kind: 'log';
  matchers: LabelMatcher[];
  pipeline: PipelineStage[];
}

/** `count_over_time(...)`, `rate(...)`, optionally under `sum [by|without] (…)`. */
export interface MetricQuery {
  kind: 'metric';
  fn: 'count_over_time' | 'rate' | 'bytes_over_time' | 'bytes_rate';
  log: LogQuery;
  rangeMs: number;
  aggregation?: { op: 'sum'; grouping?: { without: boolean; labels: string[] } };
}

export type Query = LogQuery | MetricQuery;
