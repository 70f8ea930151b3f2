import { describe, expect, it } from 'vitest';
import { parseTraceQL } from './query';
import { buildTrace, matchedNames, type SpanSpec } from './trace-fixtures';

/**
 *   root
 *   ├── a
 *   │   ├── a1 (error)
 *   │   └── a2
 *   │       └── a21 (error)
 *   └── b (error)
 *   o (parent ff, not in the trace)
 *   └── o1
 */
const tree = buildTrace([
  { id: '1', name: 'root' },
  { id: 'a', parent: '1', name: 'a' },
  { id: 'a1', parent: 'a', name: 'a1', status: 'error' },
  { id: 'a2', parent: 'a', name: 'a2' },
  { id: 'a21', parent: 'a2', name: 'a21', status: 'error' },
  { id: 'b', parent: '1', name: 'b', status: 'error' },
  { id: '0', parent: 'ff', name: 'o' },
  { id: '01', parent: '0', name: 'o1' },
]);
const matches = (query: string) => matchedNames(query, tree);

describe('structural operators', () => {
  it.each<[string, string[]]>([
    // > child: right-hand spans whose parent matches the left.
    ['{ name = "root" } > { }', ['a', 'b']],
    ['{ } > { status = error }', ['a1', 'a21', 'b']],
    ['{ name = "a" } > { status = error }', ['a1']],
    ['{ name = "o" } > { }', ['o1']],
    // >> descendant.
    ['{ name = "a" } >> { status = error }', ['a1', 'a21']],
    ['{ name = "root" } >> { }', ['a', 'a1', 'a2', 'a21', 'b']],
    ['{ name = "a21" } >> { }', []],
    // < parent: right-hand spans that are the parent of a left-hand span.
    ['{ status = error } < { }', ['a', 'a2', 'root']],
    ['{ name = "a21" } < { name = "a" }', []],
    // << ancestor.
    ['{ name = "a21" } << { }', ['a', 'a2', 'root']],
    ['{ status = error } << { name = "a2" }', ['a2']],
    // ~ sibling: never of itself, never without a parent in the trace.
    ['{ name = "a1" } ~ { }', ['a2']],
    ['{ } ~ { }', ['a', 'a1', 'a2', 'b']],
    ['{ name = "a" } ~ { name = "a" }', []],
    ['{ } ~ { name = "o" }', []],
    // Negated forms: right-hand spans without the relation (all of them when the left is empty).
    ['{ } !> { }', ['o', 'root']],
    ['{ } !< { }', ['a1', 'a21', 'b', 'o1']],
    ['{ name = "a" } !>> { }', ['a', 'b', 'o', 'o1', 'root']],
    ['{ name = "a21" } !<< { status = error }', ['a1', 'a21', 'b']],
    ['{ } !~ { }', ['a21', 'o', 'o1', 'root']],
    ['{ name = "nothing" } !> { status = error }', ['a1', 'a21', 'b']],
    // Union forms: the related spans of both sides.
    ['{ name = "a" } &> { status = error }', ['a', 'a1']],
    ['{ name = "a" } &>> { status = error }', ['a', 'a1', 'a21']],
    ['{ status = error } &< { name = "a" }', ['a', 'a1']],
    ['{ name = "a21" } &<< { }', ['a', 'a2', 'a21', 'root']],
    ['{ name = "a1" } &~ { }', ['a1', 'a2']],
    ['{ name = "b" } &>> { }', []],
    // Nothing on the right: nothing at all.
    ['{ } > { name = "nothing" }', []],
    ['{ } !> { name = "nothing" }', []],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('chains left to right and binds tighter than && and ||', () => {
    expect(matches('{ name = "root" } > { } > { status = error }')).toEqual(['a1']);
    expect(matches('{ name = "root" } > { } && { status = error }')).toEqual(['a', 'a1', 'a21', 'b']);
    expect(matches('{ name = "root" } > { name = "nope" } && { status = error }')).toEqual([]);
    expect(matches('{ name = "root" } > { name = "nope" } || { name = "o" }')).toEqual(['o']);
  });

  it('relates spans after a pipe, and inside by() groups', () => {
    expect(matches('{ status = error } | { name = "a" } >> { }')).toEqual([]);
    expect(matches('{ } | { name = "a" } >> { status = error }')).toEqual(['a1', 'a21']);
  });

  it('counts children', () => {
    expect(matches('{ span:childCount = 2 }')).toEqual(['a', 'root']);
    expect(matches('{ span:childCount > 0 && span:childCount < 2 }')).toEqual(['a2', 'o']);
  });

  it('survives a parent cycle in bad data', () => {
    const cycle = buildTrace([
      { id: '1', parent: '2', name: 'x' },
      { id: '2', parent: '1', name: 'y' },
    ]);
    expect(matchedNames('{ name = "x" } > { }', cycle)).toEqual(['y']);
    expect(matchedNames('{ name = "x" } << { }', cycle)).toEqual(['x', 'y']);
    expect(matchedNames('{ name = "x" } >> { }', cycle).length).toBeGreaterThan(0);
  });
});

describe('structural operators on a deep trace', () => {
  const chain = (depth: number): SpanSpec[] =>
    Array.from({ length: depth }, (_, i) => ({
      id: (i + 1).toString(16),
      parent: i === 0 ? undefined : i.toString(16),
      name: `s${i}`,
    }));
  const deep = buildTrace(chain(50));
  const m = (query: string) => matchedNames(query, deep);

  it('answers for a chain 50 deep', () => {
    expect(m('{ name = "s0" } >> { }')).toHaveLength(49);
    expect(m('{ name = "s49" } << { }')).toHaveLength(49);
    expect(m('{ name = "s10" } >> { name = "s9" }')).toEqual([]);
    expect(m('{ name = "s9" } >> { name = "s49" }')).toEqual(['s49']);
    expect(m('{ name = "s25" } > { }')).toEqual(['s26']);
    expect(m('{ name = "s25" } < { }')).toEqual(['s24']);
    expect(m('{ } !< { }')).toEqual(['s49']);
    expect(m('{ } !> { }')).toEqual(['s0']);
    expect(m('{ } ~ { }')).toEqual([]);
    expect(m('{ name =~ "s[0-4]" } >> { name =~ "s4[5-9]" }')).toEqual(['s45', 's46', 's47', 's48', 's49']);
    expect(m('{ name = "s48" } &>> { name = "s49" }')).toEqual(['s48', 's49']);
  });

  it('stays linear on a chain 20,000 deep', () => {
    const long = buildTrace(chain(20_000));
    const [descendants] = parseTraceQL('{ name = "s0" } >> { }').evaluate(long);
    expect(descendants.matched).toBe(19_999);
    const [ancestors] = parseTraceQL('{ } << { }').evaluate(long);
    expect(ancestors.matched).toBe(19_999);
    const [leaves] = parseTraceQL('{ name = "s19999" } !<< { }').evaluate(long);
    expect(leaves.spans.map((s) => s.span.name)).toEqual(['s19999']);
  });
});

describe('structural operators on a wide trace', () => {
  // root with 1000 children c0…c999; every even child has one child g<i>.
  const specs: SpanSpec[] = [{ id: 'f0000', name: 'root' }];
  for (let i = 0; i < 1000; i++) {
    specs.push({ id: `c${i}`.replace('c', 'c0'), parent: 'f0000', name: `c${i}` });
    if (i % 2 === 0) specs.push({ id: `e${i}`.replace('e', 'e0'), parent: `c0${i}`, name: `g${i}` });
  }
  const wide = buildTrace(specs);
  const count = (query: string) => parseTraceQL(query).evaluate(wide)[0]?.matched ?? 0;

  it('answers for 1000 children of one parent', () => {
    expect(count('{ name = "root" } > { }')).toBe(1000);
    expect(count('{ name = "root" } >> { }')).toBe(1500);
    expect(count('{ name = "c7" } ~ { }')).toBe(999);
    expect(matchedNames('{ } ~ { name = "c7" }', wide)).toEqual(['c7']);
    expect(count('{ } < { }')).toBe(501);
    expect(count('{ } !< { }')).toBe(1000);
    expect(count('{ name =~ "g.*" } << { }')).toBe(501);
    expect(count('{ name =~ "g.*" } < { name =~ "c[0-9]*[13579]" }')).toBe(0);
    expect(matchedNames('{ span:childCount = 1000 }', wide)).toEqual(['root']);
    expect(count('{ name = "c8" } &~ { name = "c9" }')).toBe(2);
  });
});
