import { matchAt, readQuotedString } from './lexing';

describe('readQuotedString', () => {
  it('reads Go string literals: escapes in quotes, raw text in backticks', () => {
    expect(readQuotedString('x = "a\\tb\\"c\\u00e9\\x41" and', 4)).toEqual({ value: 'a\tb"céA', end: 23 });
    expect(readQuotedString("'it\\'s'", 0)).toEqual({ value: "it's", end: 7 });
    expect(readQuotedString('`C:\\path\nnext`', 0)).toEqual({ value: 'C:\\path\nnext', end: 14 });
  });

  it('says where a literal goes wrong', () => {
    expect(readQuotedString('"open\n"', 0)).toEqual({ error: 'unterminated' });
    expect(readQuotedString('"never closed', 0)).toEqual({ error: 'unterminated' });
    expect(readQuotedString('"ab\\q"', 0)).toEqual({ error: 'unknown-escape', at: 3, letter: 'q' });
    expect(readQuotedString('"\\x4"', 0)).toEqual({ error: 'bad-hex-escape', at: 1, letter: 'x' });
  });
});

describe('matchAt', () => {
  it('matches only at the index, however long the match', () => {
    const ident = /[a-z_]+/y;
    const long = 'x'.repeat(5000);
    expect(matchAt(ident, `1 ${long} 2`, 2)).toBe(long);
    expect(matchAt(ident, 'ab cd', 2)).toBeUndefined();
    expect(matchAt(ident, 'ab cd', 3)).toBe('cd');
  });
});
