// @vitest-environment node
import { syntheticTrace, traceOf } from '../../../test/trace-builders';
import { buildTraceModel } from './build-model';
import { allParents, expandAncestors, rowOf, stepTo, visibleRows } from './visible-rows';

//  a
//  ├ b
//  │ ├ c
//  │ └ d
//  └ e
//    └ f
const model = buildTraceModel(
  traceOf([
    ['a', '', 's', 0, 10],
    ['b', 'a', 's', 1, 4],
    ['c', 'b', 's', 2, 1],
    ['d', 'b', 's', 3, 1],
    ['e', 'a', 's', 5, 4],
    ['f', 'e', 's', 6, 1],
  ]),
);
const ids = (rows: Int32Array) => Array.from(rows, (i) => model.spans[i].spanId).join('');
const at = (id: string) => model.indexOfSpan(id);

describe('visibleRows', () => {
  it('shows every span when nothing is collapsed', () => {
    expect(ids(visibleRows(model, new Set(), null, false))).toBe('abcdef');
  });

  it('hides the descendants of collapsed spans', () => {
    expect(ids(visibleRows(model, new Set([at('b')]), null, false))).toBe('abef');
    expect(ids(visibleRows(model, allParents(model), null, false))).toBe('a');
    expect(ids(visibleRows(model, new Set([at('c')]), null, false))).toBe('abcdef');
  });

  it('shows only matches when asked, whatever is collapsed', () => {
    const matches = new Uint8Array(6);
    matches[at('d')] = 1;
    matches[at('f')] = 1;
    expect(ids(visibleRows(model, new Set([at('a')]), matches, true))).toBe('df');
    expect(ids(visibleRows(model, new Set(), matches, false))).toBe('abcdef');
  });

  it('expands the ancestors of a span so it can be shown', () => {
    const collapsed = new Set([at('a'), at('b'), at('e')]);
    const expanded = expandAncestors(model, collapsed, at('d'));
    expect([...expanded]).toEqual([at('e')]);
    expect(expandAncestors(model, expanded, at('d'))).toBe(expanded);
  });

  it('finds rows and steps through targets with wrap-around', () => {
    const rows = visibleRows(model, new Set([at('b')]), null, false);
    expect(rowOf(rows, at('e'))).toBe(2);
    expect(rowOf(rows, at('c'))).toBe(-1);
    const targets = Int32Array.from([1, 4]);
    expect(stepTo(targets, -1, 1)).toBe(1);
    expect(stepTo(targets, 1, 1)).toBe(4);
    expect(stepTo(targets, 4, 1)).toBe(1);
    expect(stepTo(targets, 4, -1)).toBe(1);
    expect(stepTo(targets, 1, -1)).toBe(4);
    expect(stepTo(targets, 3, -1)).toBe(1);
    expect(stepTo(new Int32Array(0), 0, 1)).toBe(-1);
  });

  it('lists 100,000 rows and collapses all of them', () => {
    const big = buildTraceModel(syntheticTrace(100_000, 5));
    expect(visibleRows(big, new Set(), null, false)).toHaveLength(100_000);
    expect(visibleRows(big, allParents(big), null, false)).toHaveLength(1);
    expect(visibleRows(big, new Set([1]), null, false)).toHaveLength(100_000 - (big.subtreeEnd[1] - 2));
  });
});
