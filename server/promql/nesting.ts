import type { Expr } from './ast';
import { PromqlParseError } from './errors';
import type { Token } from './lexer';

/**
 * How deep a query may nest: each parenthesis, function call, aggregation, unary sign and
 * operator of a chain (`a + b + c` is three deep) is a level. Real queries nest a few levels.
 * The parser, the type checks, the evaluator and the API's walks over a query all recurse once
 * per level, and the heaviest of them (nested aggregations) overflow Node's default stack at
 * about 1,400 levels, so this keeps them all far from it. (Prometheus has no such limit: Go
 * stacks grow.)
 */
export const MAX_PROMQL_DEPTH = 256;

/**
 * The parser's depth check. It counts two things, each against `MAX_PROMQL_DEPTH`: expression
 * parses under way (signs folded into a number, `- - 1`, leave no node behind to count), and
 * the depth of each node built (a left-deep chain `a + b + …` is parsed in a loop, not by
 * recursion, but everything that walks it later recurses).
 */
export class NestingGuard {
  private parsesUnderWay = 0;
  /** Depth of each composite node; leaves (numbers, strings, selectors) are 1. */
  private readonly depths = new WeakMap<Expr, number>();

  constructor(private readonly query: string) {}

  /** Called as an expression's parse starts (`at`: its first token); `leave` when it ends. */
  enter(at: Token): void {
    if (++this.parsesUnderWay > MAX_PROMQL_DEPTH) this.tooDeep(at);
  }

  leave(): void {
    this.parsesUnderWay--;
  }

  /** Returns `node`, recording its depth (one more than its deepest child's); refuses it past the limit. */
  node<T extends Expr>(node: T, children: readonly (Expr | undefined)[], at: Token): T {
    let deepest = 0;
    for (const child of children) if (child) deepest = Math.max(deepest, this.depths.get(child) ?? 1);
    if (deepest >= MAX_PROMQL_DEPTH) this.tooDeep(at);
    this.depths.set(node, deepest + 1);
    return node;
  }

  private tooDeep(at: Token): never {
    throw new PromqlParseError(
      `the query is nested more than ${MAX_PROMQL_DEPTH} levels deep (each parenthesis, function call, aggregation, sign and chained operator is a level); simplify it`,
      at.pos,
      this.query,
    );
  }
}
