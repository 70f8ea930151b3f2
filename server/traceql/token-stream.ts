import { expectedDetail, TraceQLParseError } from './errors';
import { Lexer, type Token, type TokenKind } from './lexer';

/** Deepest nesting of parentheses and `!` the recursive-descent parser follows. */
const MAX_NESTING = 100;
/** Deepest syntax tree the compilers (which recurse over it) are given. */
const MAX_TREE_DEPTH = 200;

/**
 * Joins a run of operands of one associative operator (`a && b && c`) as a balanced tree, so a
 * generated query with thousands of terms is a tree hundreds of levels shallower than a chain.
 */
export function balanced<T>(items: readonly T[], join: (left: T, right: T) => T): T {
  if (items.length === 1) return items[0];
  const mid = items.length >> 1;
  return join(balanced(items.slice(0, mid), join), balanced(items.slice(mid), join));
}

/**
 * The parser's view of the tokens. Every test of the next token that fails records what was
 * tested for, and consuming a token clears the record, so a syntax error lists exactly the tokens
 * the grammar would have taken at that point (as a table-driven parser would), without a
 * hand-written list per error site.
 */
export class TokenStream {
  private readonly lexer: Lexer;
  private expected: string[] = [];
  private depth = 0;

  constructor(readonly text: string) {
    this.lexer = new Lexer(text);
  }

  peek(): Token {
    return this.lexer.peek();
  }

  next(): Token {
    this.expected = [];
    return this.lexer.next();
  }

  /** Whether the next token is the punctuation or word `text` (recorded as expected if not). */
  is(text: string): boolean {
    const token = this.peek();
    if ((token.kind === 'punct' || token.kind === 'word') && token.text === text) return true;
    this.expect(text);
    return false;
  }

  /** Whether the next token is of `kind` (`category` recorded as expected if not). */
  isKind(kind: TokenKind, category: string): boolean {
    if (this.peek().kind === kind) return true;
    this.expect(category);
    return false;
  }

  /** Consumes the next token if it is `text`. */
  accept(text: string): Token | undefined {
    return this.is(text) ? this.next() : undefined;
  }

  /** Consumes the next token if it is one of `texts`. */
  acceptAny<T extends string>(texts: readonly T[]): (Token & { text: T }) | undefined {
    for (const text of texts) {
      if (this.is(text)) return this.next() as Token & { text: T };
    }
    return undefined;
  }

  /** Consumes `text` or fails. */
  require(text: string): Token {
    return this.accept(text) ?? this.fail();
  }

  /** Records what would be valid here, without testing for it. */
  expect(...what: string[]): void {
    for (const w of what) if (!this.expected.includes(w)) this.expected.push(w);
  }

  /** Replaces the record (when the context knows better than the generic grammar). */
  expectOnly(what: readonly string[]): void {
    this.expected = [...what];
  }

  /**
   * Runs `parse` one nesting level deeper (parentheses, `!`): a query of ten thousand `(` must
   * be a parse error, not a stack overflow.
   */
  nested<T>(at: number, parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.failAt(at, `the query nests deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Refuses a syntax tree too deep for the compilers' recursion (a chain of 10,000 `>`). */
  checkDepth(depth: number, at: number): void {
    if (depth > MAX_TREE_DEPTH) this.failAt(at, `the query nests deeper than ${MAX_TREE_DEPTH} levels`);
  }

  /** A syntax error at the next token: what was expected there and what was found. */
  fail(): never {
    const token = this.peek();
    const found = token.kind === 'eof' ? undefined : token.text;
    throw new TraceQLParseError(this.text, token.pos, expectedDetail(this.expected, found), [
      ...this.expected,
    ]);
  }

  /** An error that is not about the next token (a type mismatch, a bad regex), at `offset`. */
  failAt(offset: number, detail: string): never {
    throw new TraceQLParseError(this.text, offset, detail);
  }
}
