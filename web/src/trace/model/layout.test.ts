// @vitest-environment node
import { syntheticTrace, traceOf } from '../../../test/trace-builders';
import { buildTraceModel } from './build-model';
import { indexOfSpanId, spanIdAt, spanName, toLayout } from './layout';

describe('toLayout', () => {
  it('packs names and IDs, and finds IDs only on their boundaries', () => {
    // "ab" + "cd" contains "bc", which is no span's ID.
    const layout = toLayout(
      buildTraceModel(
        traceOf([
          ['ab', '', 's', 0, 10, { name: 'root' }],
          ['cd', 'ab', 's', 1, 2, { name: '' }],
          ['bc', 'ab', 's', 3, 2, { name: 'ünï' }],
        ]),
      ),
    );
    expect([0, 1, 2].map((i) => spanName(layout, i))).toEqual(['root', '', 'ünï']);
    expect([0, 1, 2].map((i) => spanIdAt(layout, i))).toEqual(['ab', 'cd', 'bc']);
    expect(indexOfSpanId(layout, 'bc')).toBe(2);
    expect(indexOfSpanId(layout, 'b')).toBe(-1);
    expect(indexOfSpanId(layout, '')).toBe(-1);
  });

  it('lays out 100,000 spans and finds the last one', () => {
    const model = buildTraceModel(syntheticTrace(100_000, 5));
    const layout = toLayout(model);
    expect(layout.count).toBe(100_000);
    const last = model.spans[99_999];
    expect(indexOfSpanId(layout, last.spanId)).toBe(99_999);
    expect(spanName(layout, 99_999)).toBe(last.name);
  });
});
