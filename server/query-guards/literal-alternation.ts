/**
 * The fast path of `compileUserRegex`: an RE2 pattern that is a top-level alternation of
 * quantifier-free branches, rewritten as an equivalent JavaScript `RegExp`.
 *
 * Why it is safe: with no quantifier and no group, a backtracking engine tries each branch once
 * per start position, so a test costs at most (input length × pattern length) steps: linear in
 * the input, like RE2. Why it is exact: only atoms whose meaning is the same in both engines are
 * accepted, and the `u` flag gives JavaScript RE2's code-point matching and simple case folding
 * (`(?i)k` matches the Kelvin sign in both). Anything else returns undefined and goes to re2js.
 *
 * Accepted, per branch: literal characters; `\` + ASCII punctuation; `\d` `\D`; `.`; classes
 * `[…]`/`[^…]` of letters, digits, `_`, space and ranges between them. A leading `(?i)` applies
 * to the whole pattern. A branch may also start and end with `.*` (`.*checkout.*`): searching, it
 * is dropped; matching a whole value, it becomes `[^]*` (RE2's `.` under `(?s)`), which with one
 * at each end of a quantifier-free middle backtracks at most once per input position.
 */

const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const QUANTIFIER_OR_GROUP = new Set([...'*+?{}()^$']);
const CLASS_CHAR = /^[A-Za-z0-9_ ]$/;
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/** The JavaScript twin of `pattern`, or undefined when the pattern needs the RE2 engine. */
export function literalAlternation(pattern: string, mode: 'search' | 'full'): RegExp | undefined {
  let body = pattern;
  let flags = 'u';
  if (body.startsWith('(?i)')) {
    body = body.slice(4);
    flags = 'iu';
  }
  const branches: string[] = [];
  for (let branch of splitBranches(body)) {
    let anyPrefix = false;
    let anySuffix = false;
    while (branch.startsWith('.*')) {
      branch = branch.slice(2);
      anyPrefix = true;
    }
    while (branch.endsWith('.*') && !branch.endsWith('\\.*')) {
      branch = branch.slice(0, -2);
      anySuffix = true;
    }
    const translated = translateBranch(branch, mode);
    if (translated === undefined) return undefined;
    // Searching, `.*` at either end matches the empty string: it cannot change the answer.
    // Anchored, `[^]*` at the two ends costs one backtrack per input position, no more.
    if (mode === 'search') branches.push(translated);
    else branches.push(`${anyPrefix ? '[^]*' : ''}${translated}${anySuffix ? '[^]*' : ''}`);
  }
  const alternation = branches.join('|');
  return new RegExp(mode === 'full' ? `^(?:${alternation})$` : alternation, flags);
}

/** Splits at top-level `|` (escaped ones and those inside classes are literal). */
function splitBranches(body: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '|' && !inClass) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

function translateBranch(branch: string, mode: 'search' | 'full'): string | undefined {
  let out = '';
  // Iterate by code point: `u` mode treats an astral character as one atom, as RE2 does.
  const chars = [...branch];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return undefined;
      if (next === 'd' || next === 'D') out += `\\${next}`;
      else if (PUNCTUATION.test(next)) out += escapeLiteral(next);
      else return undefined; // \s, \w, \b, \pL, \Q…: meanings differ or need the engine
    } else if (c === '.') {
      out += mode === 'full' ? '[^]' : '[^\\n]'; // RE2's `.` excludes only \n, and nothing under (?s)
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end < 0) return undefined;
      const inner = chars.slice(i + 1, end);
      const negated = inner[0] === '^';
      const members = negated ? inner.slice(1) : inner;
      if (!simpleClass(members)) return undefined;
      out += `[${negated ? '^' : ''}${members.join('')}]`;
      i = end;
    } else if (QUANTIFIER_OR_GROUP.has(c) || c === ']') {
      return undefined;
    } else {
      out += escapeLiteral(c);
    }
  }
  return out;
}

/** Letters, digits, `_` and space, with `-` only between two of them as a range. */
function simpleClass(members: string[]): boolean {
  if (members.length === 0) return false;
  for (let i = 0; i < members.length; i++) {
    const c = members[i];
    if (c === '-') {
      const from = members[i - 1];
      const to = members[i + 1];
      if (i === 0 || to === undefined || to === '-' || !CLASS_CHAR.test(from) || !CLASS_CHAR.test(to))
        return false;
      if (from > to) return false; // RE2 refuses a reversed range; the engine reports it
    } else if (!CLASS_CHAR.test(c)) return false;
  }
  return true;
}

function escapeLiteral(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}
