import { LabelMatcher, type MatchType } from '../series-model/matchers';
import {
  type AggregateOp,
  type BinaryOp,
  type Expr,
  TYPE_NAMES,
  typeOf,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast';
import { PromqlParseError } from './errors';
import { FUNCTION_SIGNATURES } from './function-signatures';
import {
  AGGREGATE_OPS,
  binaryProblem,
  describe,
  isGroupingKeyword,
  PARAMETRIC,
  POW_PRECEDENCE,
  PRECEDENCE,
  parseNumber,
  UNSUPPORTED_AGGREGATES,
} from './grammar';
import { parsePromDuration, type Token, tokenize } from './lexer';
import { NestingGuard } from './nesting';

/**
 * Parses a PromQL query of the supported subset, with Prometheus's type checks. A query nested
 * more than `MAX_PROMQL_DEPTH` levels deep is refused, so nothing that walks the result recurses
 * deeper than that.
 */
export function parsePromql(query: string): Expr {
  return new Parser(query).parseQuery();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private readonly nesting: NestingGuard;

  constructor(private readonly query: string) {
    this.tokens = tokenize(query);
    this.nesting = new NestingGuard(query);
  }

  parseQuery(): Expr {
    if (this.peek().kind === 'eof') this.fail('no expression found in input', this.peek());
    const expr = this.parseExpr(0);
    const next = this.peek();
    if (next.kind !== 'eof') this.unexpected(next);
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private fail(detail: string, at: Token | number): never {
    throw new PromqlParseError(detail, typeof at === 'number' ? at : at.pos, this.query);
  }

  private unexpected(token: Token, context = ''): never {
    const what = token.kind === 'eof' ? 'end of input' : `${describe(token)}`;
    this.fail(`unexpected ${what}${context ? ` ${context}` : ''}`, token);
  }

  private expect(kind: Token['kind'], context: string): Token {
    const token = this.peek();
    if (token.kind !== kind) this.unexpected(token, context);
    return this.next();
  }

  private binaryOp(token: Token): BinaryOp | undefined {
    if (token.kind === 'op' && token.text in PRECEDENCE) return token.text as BinaryOp;
    if (token.kind === 'ident' && (token.text === 'and' || token.text === 'or' || token.text === 'unless')) {
      return token.text;
    }
    return undefined;
  }

  private parseExpr(minPrecedence: number): Expr {
    this.nesting.enter(this.peek());
    const expr = this.parseOperators(minPrecedence);
    this.nesting.leave();
    return expr;
  }

  private parseOperators(minPrecedence: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opToken = this.peek();
      const op = this.binaryOp(opToken);
      if (!op) return lhs;
      const precedence = PRECEDENCE[op];
      if (precedence < minPrecedence) return lhs;
      this.next();
      const returnBool = this.peek().kind === 'ident' && this.peek().text === 'bool' && !!this.next();
      const matching = this.parseMatching();
      const rhs = this.parseExpr(op === '^' ? precedence : precedence + 1);
      lhs = this.checkBinary(op, lhs, rhs, returnBool, matching, opToken);
    }
  }

  private parseMatching(): VectorMatching {
    const token = this.peek();
    if (token.kind !== 'ident' || (token.text !== 'on' && token.text !== 'ignoring')) {
      return { on: false, labels: [] };
    }
    this.next();
    const labels = this.parseLabelList();
    const group = this.peek();
    if (group.kind === 'ident' && (group.text === 'group_left' || group.text === 'group_right')) {
      this.fail(`${group.text} (many-to-one matching) is not supported`, group);
    }
    return { on: token.text === 'on', labels };
  }

  private checkBinary(
    op: BinaryOp,
    lhs: Expr,
    rhs: Expr,
    returnBool: boolean,
    matching: VectorMatching,
    at: Token,
  ): Expr {
    const node = this.nesting.node<Expr>(
      { type: 'binary', op, lhs, rhs, returnBool, matching },
      [lhs, rhs],
      at,
    );
    const problem = binaryProblem(op, lhs, rhs, returnBool, matching);
    if (problem) this.fail(problem, at);
    return node;
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (token.kind === 'op' && (token.text === '-' || token.text === '+')) {
      this.next();
      const expr = this.parseExpr(POW_PRECEDENCE);
      const t = typeOf(expr);
      if (t !== 'scalar' && t !== 'vector') {
        this.fail(
          `unary expression only allowed on expressions of type scalar or instant vector, got ${TYPE_NAMES[t]}`,
          token,
        );
      }
      if (expr.type === 'number')
        return { type: 'number', value: token.text === '-' ? -expr.value : expr.value };
      return this.nesting.node({ type: 'unary', op: token.text, expr }, [expr], token);
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
        this.next();
        return { type: 'number', value: parseNumber(token.text) };
      case 'string':
        this.next();
        return { type: 'string', value: token.value ?? '' };
      case '(': {
        this.next();
        const expr = this.parseExpr(0);
        this.expect(')', 'in paren expression');
        return this.nesting.node({ type: 'paren', expr }, [expr], token);
      }
      case '{':
        return this.parseSelector(undefined, token);
      case 'ident':
        return this.parseIdentifier(token);
      default:
        this.unexpected(token);
    }
  }

  private parseIdentifier(token: Token): Expr {
    const name = token.text;
    const following = this.peek(1);
    if (AGGREGATE_OPS.has(name) && (following.kind === '(' || isGroupingKeyword(following))) {
      this.next();
      return this.parseAggregate(name as AggregateOp, token);
    }
    if (UNSUPPORTED_AGGREGATES.has(name) && following.kind === '(') {
      this.fail(`aggregation "${name}" is not supported`, token);
    }
    if (following.kind === '(') {
      const signature = FUNCTION_SIGNATURES[name];
      if (!signature) this.fail(`unknown function with name "${name}"`, token);
      this.next();
      this.next();
      const args: Expr[] = [];
      if (this.peek().kind !== ')') {
        for (;;) {
          args.push(this.parseExpr(0));
          if (this.peek().kind !== ',') break;
          this.next();
        }
      }
      this.expect(')', 'in function call');
      const min = signature.args.length - (signature.optional ?? 0);
      if (args.length < min || args.length > signature.args.length) {
        const expected = min === signature.args.length ? `${min}` : `${min} to ${signature.args.length}`;
        this.fail(`expected ${expected} argument(s) in call to "${name}", got ${args.length}`, token);
      }
      for (const [i, arg] of args.entries()) {
        this.checkType(arg, signature.args[i], `call to function "${name}"`, token);
      }
      return this.nesting.node({ type: 'call', func: name, args }, args, token);
    }
    this.next();
    if (this.peek().kind === '{') return this.parseSelector(name, token);
    return { type: 'vector', name, matchers: [new LabelMatcher('__name__', '=', name)], offsetMs: 0 };
  }

  private checkType(expr: Expr, expected: ValueType, where: string, at: Token): void {
    const actual = typeOf(expr);
    if (actual !== expected) {
      this.fail(`expected type ${TYPE_NAMES[expected]} in ${where}, got ${TYPE_NAMES[actual]}`, at);
    }
  }

  private parseAggregate(op: AggregateOp, at: Token): Expr {
    let grouping: string[] = [];
    let without = false;
    let hasGrouping = false;
    const readGrouping = () => {
      const keyword = this.peek();
      if (!isGroupingKeyword(keyword)) return;
      if (hasGrouping) this.unexpected(keyword);
      this.next();
      without = keyword.text === 'without';
      grouping = this.parseLabelList();
      hasGrouping = true;
    };
    readGrouping();
    this.expect('(', `in aggregation "${op}"`);
    let param: Expr | undefined;
    if (PARAMETRIC.has(op)) {
      param = this.parseExpr(0);
      this.checkType(param, 'scalar', `aggregation parameter of "${op}"`, at);
      this.expect(',', `in aggregation "${op}"`);
    }
    const expr = this.parseExpr(0);
    this.expect(')', `in aggregation "${op}"`);
    readGrouping();
    this.checkType(expr, 'vector', `aggregation "${op}"`, at);
    return this.nesting.node({ type: 'aggregate', op, expr, param, grouping, without }, [expr, param], at);
  }

  private parseLabelList(): string[] {
    this.expect('(', 'in grouping opts');
    const labels: string[] = [];
    while (this.peek().kind !== ')') {
      const label = this.peek();
      if (label.kind !== 'ident') this.unexpected(label, 'in grouping opts, expected label');
      labels.push(this.next().text);
      if (this.peek().kind === ',') this.next();
      else if (this.peek().kind !== ')')
        this.unexpected(this.peek(), 'in grouping opts, expected "," or ")"');
    }
    this.next();
    return labels;
  }

  private parseSelector(name: string | undefined, at: Token): VectorSelector {
    this.expect('{', 'in vector selector');
    const matchers: LabelMatcher[] = name ? [new LabelMatcher('__name__', '=', name)] : [];
    while (this.peek().kind !== '}') {
      const label = this.peek();
      if (label.kind !== 'ident') this.unexpected(label, 'in label matching, expected label');
      this.next();
      const op = this.peek();
      if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) {
        this.unexpected(op, 'in label matching, expected one of "=", "!=", "=~" or "!~"');
      }
      this.next();
      const value = this.peek();
      if (value.kind !== 'string') this.unexpected(value, 'in label matching, expected string');
      this.next();
      try {
        matchers.push(new LabelMatcher(label.text, op.text as MatchType, value.value ?? ''));
      } catch (err) {
        this.fail(`invalid regular expression ${value.text}: ${(err as Error).message}`, value);
      }
      if (this.peek().kind === ',') this.next();
      else if (this.peek().kind !== '}')
        this.unexpected(this.peek(), 'in label matching, expected "," or "}"');
    }
    this.next();
    if (!matchers.some((m) => !m.matchesEmpty())) {
      this.fail('vector selector must contain at least one non-empty matcher', at);
    }
    return { type: 'vector', name, matchers, offsetMs: 0 };
  }

  private parsePostfix(expr: Expr): Expr {
    let out = expr;
    if (this.peek().kind === '[') {
      const open = this.next();
      if (out.type !== 'vector') this.fail('ranges only allowed for vector selectors', open);
      const rangeMs = this.parseDuration('in range selector');
      if (this.peek().kind === ':') this.fail('subqueries are not supported', this.peek());
      this.expect(']', 'in range selector, expected "]"');
      out = { type: 'matrix', selector: out, rangeMs };
    }
    const offset = this.peek();
    if (offset.kind === 'ident' && offset.text === 'offset') {
      this.next();
      const selector = out.type === 'matrix' ? out.selector : out.type === 'vector' ? out : undefined;
      if (!selector)
        this.fail(
          'offset modifier must be preceded by an instant vector selector or range vector selector',
          offset,
        );
      const negative = this.peek().kind === 'op' && this.peek().text === '-' && !!this.next();
      const ms = this.parseDuration('in offset');
      selector.offsetMs = negative ? -ms : ms;
    }
    return out;
  }

  private parseDuration(context: string): number {
    const token = this.next();
    if (token.kind === 'duration') return parsePromDuration(token.text)!;
    if (token.kind === 'number') return parseNumber(token.text) * 1000;
    this.unexpected(token, `${context}, expected duration`);
  }
}
