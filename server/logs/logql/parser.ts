import type {
  CompareOp,
  LabelFilterExpr,
  LabelMatcher,
  LogQuery,
  MatchOp,
  MetricQuery,
  PipelineStage,
  Query,
} from './ast';
import { parseLogQLDuration } from './duration';
import { type Token, tokenize } from './lexer';
import { LogQLParseError } from './parse-error';
import { checkRegex, matchesEmpty } from './regex';

const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
const COMPARE_OPS = new Set(['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=']);
const LINE_FILTER_OPS = new Set(['|=', '!=', '|~', '!~']);
const RANGE_FUNCTIONS = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);
/** Deeper than any real query; far below where the recursive filter walks overflow Node's stack. */
export const MAX_LABEL_FILTER_DEPTH = 256;

/**
 * Parses the LogQL subset Loupe serves: a stream selector, line filters, `| logfmt`, `| json`,
 * `| line_format` and label filters; `count_over_time`/`rate` (optionally under `sum by`) for
 * metric queries. Throws `LogQLParseError` with the line and column of the offending token.
 */
export function parseLogQL(text: string): Query {
  return new Parser(tokenize(text)).parseQuery();
}

/** Parses a stream selector alone (`{a="b"}`), as Loki's protobuf push sends labels. */
export function parseSelector(text: string): LabelMatcher[] {
  const parser = new Parser(tokenize(text));
  const matchers = parser.selector();
  parser.expectEnd();
  return matchers;
}

function describe(token: Token): string {
  if (token.type === 'EOF') return 'end of input';
  if (token.type === 'SYMBOL') return token.text;
  return token.type;
}

class Parser {
  private i = 0;
  private openParens = 0;
  private readonly filterDepths = new WeakMap<LabelFilterExpr, number>();

  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.i];
  }

  private fail(expecting: string, token = this.token): never {
    throw new LogQLParseError(
      `syntax error: unexpected ${describe(token)}, expecting ${expecting}`,
      token.line,
      token.col,
    );
  }

  private isSymbol(text: string): boolean {
    return this.token.type === 'SYMBOL' && this.token.text === text;
  }

  private expectSymbol(text: string, expecting = text): Token {
    if (!this.isSymbol(text)) this.fail(expecting);
    return this.tokens[this.i++];
  }

  private expectType(type: Token['type'], expecting: string = type): Token {
    if (this.token.type !== type) this.fail(expecting);
    return this.tokens[this.i++];
  }

  expectEnd(expecting = 'end of input'): void {
    if (this.token.type !== 'EOF') this.fail(expecting);
  }

  parseQuery(): Query {
    const query: Query =
      this.token.type === 'IDENTIFIER' ? this.metricQuery() : this.logQuery('{ or a metric function');
    this.expectEnd(query.kind === 'log' ? '|, a line filter or end of input' : 'end of input');
    return query;
  }

  private logQuery(expecting = '{'): LogQuery {
    if (!this.isSymbol('{')) this.fail(expecting);
    const matchers = this.selector();
    return { kind: 'log', matchers, pipeline: this.pipeline() };
  }

  selector(): LabelMatcher[] {
    const open = this.expectSymbol('{');
    const matchers: LabelMatcher[] = [];
    for (;;) {
      const name = this.expectType('IDENTIFIER');
      if (this.token.type !== 'SYMBOL' || !MATCH_OPS.has(this.token.text)) this.fail('=, !=, =~ or !~');
      const op = this.tokens[this.i++].text as MatchOp;
      const value = this.expectType('STRING');
      if (op === '=~' || op === '!~') checkRegex(value, 'full');
      matchers.push({ name: name.text, op, value: value.text });
      if (this.isSymbol(',')) {
        this.i++;
        if (this.isSymbol('}')) break; // a trailing comma, as Loki allows
        continue;
      }
      if (this.isSymbol('}')) break;
      this.fail('} or ,');
    }
    this.i++;
    if (!matchers.some((m) => !matchesEmpty(m))) {
      throw new LogQLParseError(
        'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
        open.line,
        open.col,
      );
    }
    return matchers;
  }

  private pipeline(): PipelineStage[] {
    const stages: PipelineStage[] = [];
    for (;;) {
      const token = this.token;
      if (token.type !== 'SYMBOL') return stages;
      if (LINE_FILTER_OPS.has(token.text)) {
        this.i++;
        const values = [this.lineFilterValue(token.text)];
        while (this.token.type === 'IDENTIFIER' && this.token.text === 'or') {
          this.i++;
          values.push(this.lineFilterValue(token.text));
        }
        stages.push({ kind: 'line_filter', op: token.text as '|=', values });
      } else if (token.text === '|') {
        this.i++;
        stages.push(this.pipeStage());
      } else {
        return stages;
      }
    }
  }

  private lineFilterValue(op: string): string {
    const value = this.expectType('STRING');
    if (op === '|~' || op === '!~') checkRegex(value);
    return value.text;
  }

  private pipeStage(): PipelineStage {
    const token = this.token;
    if (token.type === 'IDENTIFIER' && (token.text === 'logfmt' || token.text === 'json')) {
      const next = this.tokens[this.i + 1];
      // `| json level` (a label name) would be a parser parameter: not a separate stage.
      if (next.type === 'IDENTIFIER' && !(next.text === 'or' || next.text === 'and')) {
        if (this.tokens[this.i + 2]?.type === 'SYMBOL' && COMPARE_OPS.has(this.tokens[this.i + 2].text)) {
          throw new LogQLParseError(
            `syntax error: ${token.text} parameters are not supported`,
            next.line,
            next.col,
          );
        }
      }
      this.i++;
      return { kind: token.text };
    }
    if (token.type === 'IDENTIFIER' && token.text === 'regexp') {
      this.i++;
      const pattern = this.expectType('STRING');
      if (checkRegex(pattern).groupNames.length === 0) {
        throw new LogQLParseError(
          'syntax error: regexp needs at least one named group',
          pattern.line,
          pattern.col,
        );
      }
      return { kind: 'regexp', pattern: pattern.text };
    }
    if (token.type === 'IDENTIFIER' && token.text === 'drop') {
      this.i++;
      const names = [this.expectType('IDENTIFIER').text];
      while (this.isSymbol(',')) {
        this.i++;
        names.push(this.expectType('IDENTIFIER').text);
      }
      return { kind: 'drop', names };
    }
    if (token.type === 'IDENTIFIER' && token.text === 'line_format') {
      this.i++;
      return { kind: 'line_format', template: this.expectType('STRING').text };
    }
    if (token.type === 'IDENTIFIER' || this.isSymbol('(')) {
      return { kind: 'label_filter', expr: this.labelFilterOr() };
    }
    return this.fail('logfmt, json, regexp, drop, line_format or a label filter');
  }

  private labelFilterOr(): LabelFilterExpr {
    let left = this.labelFilterAnd();
    while (this.token.type === 'IDENTIFIER' && this.token.text === 'or') {
      const at = this.tokens[this.i++];
      left = this.combined({ kind: 'or', left, right: this.labelFilterAnd() }, at);
    }
    return left;
  }

  /**
   * Records a combined filter's depth and refuses it past `MAX_LABEL_FILTER_DEPTH`: compiling and
   * running filters recurse once per level, and a hostile `a="1" and a="1" and …` must get a 400,
   * not overflow the stack.
   */
  private combined(node: LabelFilterExpr & { left: LabelFilterExpr; right: LabelFilterExpr }, at: Token) {
    const depth = Math.max(this.filterDepths.get(node.left) ?? 1, this.filterDepths.get(node.right) ?? 1) + 1;
    if (depth > MAX_LABEL_FILTER_DEPTH) this.tooDeep(at);
    this.filterDepths.set(node, depth);
    return node;
  }

  private tooDeep(at: Token): never {
    throw new LogQLParseError(
      `label filters are nested or chained more than ${MAX_LABEL_FILTER_DEPTH} levels deep; simplify the query`,
      at.line,
      at.col,
    );
  }

  private labelFilterAnd(): LabelFilterExpr {
    let left = this.labelFilterPrimary();
    for (;;) {
      const token = this.token;
      if (token.type === 'IDENTIFIER' && token.text === 'and') this.i++;
      else if (this.isSymbol(',')) this.i++;
      else if (!(token.type === 'IDENTIFIER' && token.text !== 'or') && !this.isSymbol('(')) return left;
      left = this.combined({ kind: 'and', left, right: this.labelFilterPrimary() }, token);
    }
  }

  private labelFilterPrimary(): LabelFilterExpr {
    if (this.isSymbol('(')) {
      const open = this.tokens[this.i++];
      if (++this.openParens > MAX_LABEL_FILTER_DEPTH) this.tooDeep(open);
      const inner = this.labelFilterOr();
      this.expectSymbol(')', ') or a label filter');
      this.openParens--;
      return inner;
    }
    const name = this.expectType('IDENTIFIER', 'IDENTIFIER or (');
    if (this.token.type !== 'SYMBOL' || !COMPARE_OPS.has(this.token.text)) {
      this.fail('=, !=, =~, !~, ==, >, >=, < or <=');
    }
    const op = this.tokens[this.i++].text as CompareOp;
    const valueToken = this.token;
    if (valueToken.type === 'STRING') {
      if (!MATCH_OPS.has(op) && op !== '==') this.fail('NUMBER or DURATION');
      if (op === '=~' || op === '!~') checkRegex(valueToken, 'full');
      this.i++;
      return { kind: 'compare', name: name.text, op: op === '==' ? '=' : op, value: valueToken.text };
    }
    if (valueToken.type === 'NUMBER' || valueToken.type === 'DURATION') {
      if (op === '=~' || op === '!~') this.fail('STRING');
      this.i++;
      const isDuration = valueToken.type === 'DURATION';
      const number = isDuration ? parseLogQLDuration(valueToken.text)! / 1000 : Number(valueToken.text);
      return { kind: 'compare', name: name.text, op, value: valueToken.text, number, isDuration };
    }
    return this.fail(op === '=~' || op === '!~' ? 'STRING' : 'STRING, NUMBER or DURATION');
  }

  private metricQuery(): MetricQuery {
    const fnToken = this.token;
    if (fnToken.text === 'sum') {
      this.i++;
      let grouping = this.grouping();
      this.expectSymbol('(');
      const inner = this.rangeAggregation();
      this.expectSymbol(')', ') or by');
      grouping ??= this.grouping();
      return { ...inner, aggregation: { op: 'sum', grouping } };
    }
    return this.rangeAggregation();
  }

  private grouping(): { without: boolean; labels: string[] } | undefined {
    const token = this.token;
    if (token.type !== 'IDENTIFIER' || (token.text !== 'by' && token.text !== 'without')) return undefined;
    this.i++;
    this.expectSymbol('(');
    const labels: string[] = [];
    while (!this.isSymbol(')')) {
      labels.push(this.expectType('IDENTIFIER', 'IDENTIFIER or )').text);
      if (this.isSymbol(',')) this.i++;
      else if (!this.isSymbol(')')) this.fail(', or )');
    }
    this.i++;
    return { without: token.text === 'without', labels };
  }

  private rangeAggregation(): MetricQuery {
    const fnToken = this.token;
    if (fnToken.type !== 'IDENTIFIER' || !RANGE_FUNCTIONS.has(fnToken.text)) {
      throw new LogQLParseError(
        `syntax error: unexpected ${describe(fnToken)}${fnToken.type === 'IDENTIFIER' ? ` ${fnToken.text}` : ''}, expecting { or one of count_over_time, rate, bytes_over_time, bytes_rate, sum (other metric queries are not supported)`,
        fnToken.line,
        fnToken.col,
      );
    }
    this.i++;
    this.expectSymbol('(');
    const log = this.logQuery();
    this.expectSymbol('[', '[ or a pipeline stage');
    const range = this.expectType('DURATION');
    this.expectSymbol(']');
    this.expectSymbol(')');
    const rangeMs = parseLogQLDuration(range.text);
    if (!rangeMs) throw new LogQLParseError('syntax error: range must be above zero', range.line, range.col);
    return { kind: 'metric', fn: fnToken.text as MetricQuery['fn'], log, rangeMs };
  }
}
