// @vitest-environment node
import { syntheticTrace, traceOf } from '../../../test/trace-builders';
import {
  buildTraceModel,
  FLAG_CYCLE,
  FLAG_DUPLICATE,
  FLAG_ERROR,
  FLAG_ERROR_BELOW,
  FLAG_ORPHAN,
  FLAG_SKEW,
} from './build-model';

const names = (model: ReturnType<typeof buildTraceModel>) => model.spans.map((s) => s.spanId);

describe('buildTraceModel', () => {
  //   a
  //   ├ b (starts later)   ─ listed first in the input
  //   │ └ d
  //   └ c (starts earlier)
  const tree = traceOf([
    ['b', 'a', 'api', 20, 5],
    ['d', 'b', 'db', 21, 2],
    ['a', '', 'web', 0, 50],
    ['c', 'a', 'api', 10, 5],
  ]);

  it('orders spans depth-first with siblings by start time', () => {
    const model = buildTraceModel(tree);
    expect(names(model)).toEqual(['a', 'c', 'b', 'd']);
    expect(Array.from(model.depth)).toEqual([0, 1, 1, 2]);
    expect(Array.from(model.parent)).toEqual([-1, 0, 0, 2]);
    expect(Array.from(model.subtreeEnd)).toEqual([4, 2, 4, 4]);
    expect(Array.from(model.childCount)).toEqual([2, 0, 1, 0]);
    expect(Array.from(model.posInSet)).toEqual([1, 1, 2, 1]);
  });

  it('computes statistics for the header', () => {
    const { stats } = buildTraceModel(tree);
    expect(stats).toMatchObject({
      rootService: 'web',
      rootName: 'op-a',
      spanCount: 4,
      serviceCount: 3,
      depth: 3,
      durationNs: 50e6,
      errorCount: 0,
    });
    expect(stats.startEpochMs).toBe(1_700_000_000_000);
  });

  it('marks failed spans and every ancestor of one', () => {
    const model = buildTraceModel(
      traceOf([
        ['a', '', 'web', 0, 50],
        ['b', 'a', 'api', 1, 20],
        ['c', 'b', 'db', 2, 5, { statusCode: 'ERROR' }],
        ['d', 'a', 'api', 30, 5, { events: [{ name: 'exception', timeNs: 31e6, attributes: [] }] }],
        ['e', 'a', 'api', 40, 5],
      ]),
    );
    const flagsOf = (id: string) => model.flags[model.indexOfSpan(id)];
    expect(flagsOf('c') & FLAG_ERROR).toBeTruthy();
    expect(flagsOf('d') & FLAG_ERROR).toBeTruthy();
    expect(flagsOf('b') & FLAG_ERROR_BELOW).toBeTruthy();
    expect(flagsOf('a') & FLAG_ERROR_BELOW).toBeTruthy();
    expect(flagsOf('e') & (FLAG_ERROR | FLAG_ERROR_BELOW)).toBe(0);
    expect(Array.from(model.errorIndices)).toEqual([model.indexOfSpan('c'), model.indexOfSpan('d')]);
  });

  it('keeps a child that starts before its parent where it is, flagged as skew', () => {
    const model = buildTraceModel(
      traceOf([
        ['a', '', 'web', 10, 50],
        ['b', 'a', 'api', 4, 20],
      ]),
    );
    const b = model.indexOfSpan('b');
    expect(model.flags[b] & FLAG_SKEW).toBeTruthy();
    expect(model.offsetNs[b]).toBe(0);
    expect(model.offsetNs[model.indexOfSpan('a')]).toBe(6e6);
    expect(model.stats.skewCount).toBe(1);
  });

  it('turns orphans, duplicates and cycles into warnings, not crashes', () => {
    const model = buildTraceModel(
      traceOf([
        ['a', '', 'web', 0, 50],
        ['o', 'missing', 'api', 5, 5],
        ['a', '', 'web', 1, 1],
        ['x', 'y', 'q', 10, 1],
        ['y', 'x', 'q', 11, 1],
        ['z', 'y', 'q', 12, 1],
      ]),
    );
    expect(model.spans).toHaveLength(6);
    expect(model.warnings.join(' ')).toMatch(/1 span refers to a parent that is not in the trace/);
    expect(model.warnings.join(' ')).toMatch(/1 span ID appears more than once/);
    expect(model.warnings.join(' ')).toMatch(/1 cycle/);
    const flags = Array.from(model.flags);
    expect(flags.filter((f) => f & FLAG_ORPHAN)).toHaveLength(1);
    expect(flags.filter((f) => f & FLAG_DUPLICATE)).toHaveLength(1);
    expect(flags.filter((f) => f & FLAG_CYCLE)).toHaveLength(1);
    // The cycle x ⇄ y is cut once and its members stay together: cut span, then its subtree.
    const cut = flags.findIndex((f) => f & FLAG_CYCLE);
    expect(model.subtreeEnd[cut] - cut).toBe(3);
    expect(model.stats.rootService).toBe('web');
  });

  it('handles an empty trace', () => {
    const model = buildTraceModel(traceOf([]));
    expect(model.spans).toHaveLength(0);
    expect(model.stats.depth).toBe(0);
  });

  it('builds a 100,000-span trace consistently', () => {
    const parsed = syntheticTrace(100_000, 5);
    const model = buildTraceModel(parsed);
    expect(model.spans).toHaveLength(100_000);
    expect(model.subtreeEnd[0]).toBe(100_000);
    expect(model.stats.errorCount).toBe(99);
    // Every span's subtree lies inside its parent's, and its depth is one more.
    for (let i = 1; i < model.spans.length; i++) {
      const p = model.parent[i];
      if (p >= i || model.subtreeEnd[i] > model.subtreeEnd[p] || model.depth[i] !== model.depth[p] + 1) {
        throw new Error(`inconsistent tree at ${i}`);
      }
    }
  });

  it('flattens a 100,000-level chain without recursion', () => {
    const model = buildTraceModel(syntheticTrace(100_000, 1));
    expect(model.stats.depth).toBe(100_000);
    expect(model.depth[99_999]).toBe(99_999);
    expect(model.flags[0] & FLAG_ERROR_BELOW).toBeTruthy();
  });
});
