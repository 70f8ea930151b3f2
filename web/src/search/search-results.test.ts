import { SEARCH_ANSWER } from '../../test/search-handlers';
import { samplingLabel } from '../trace/model/format';
import { formatAge, nextSort, rootLabel, sortRows, toTraceRow } from './search-results';

const rows = SEARCH_ANSWER.traces.map(toTraceRow);

describe('search rows', () => {
  it('sums spans, matches and errors over services and span sets', () => {
    const checkout = rows[1];
    expect(checkout.spanCount).toBe(9);
    expect(checkout.matched).toBe(3);
    expect(checkout.errorCount).toBe(1);
    expect(checkout.services.map((s) => s.name)).toEqual([
      'frontend',
      'checkout',
      'payment',
      'cart',
      'redis',
    ]);
    expect(rootLabel(checkout)).toBe('frontend: GET /checkout');
  });

  it('carries which tail-sampling policy kept a trace, and labels it', () => {
    const kept = toTraceRow({
      ...SEARCH_ANSWER.traces[1],
      sampling: { policy: 'errors', reason: 'sampled' },
    });
    expect(kept.sampling && samplingLabel(kept.sampling)).toBe('kept by errors');
    expect(samplingLabel({ policy: '', reason: 'not-sampled' })).toBe('dry run: would drop');
    expect(rows[1].sampling).toBeUndefined();
  });

  it('knows a trace whose root has not arrived', () => {
    expect(rows[0].rootService).toBeUndefined();
    expect(rootLabel(rows[0])).toBe('root span not yet received');
  });

  it('sorts by a column either way, keeping the server’s order for ties', () => {
    const byDuration = sortRows(rows, { key: 'duration', direction: 'descending' }).map((r) => r.durationMs);
    expect(byDuration).toEqual([2500, 120, 40]);
    const bySpans = sortRows(rows, { key: 'spans', direction: 'ascending' }).map((r) => r.spanCount);
    expect(bySpans).toEqual([2, 9, 24]);
    expect(nextSort({ key: 'duration', direction: 'descending' }, 'duration').direction).toBe('ascending');
    expect(nextSort({ key: 'duration', direction: 'descending' }, 'root').direction).toBe('ascending');
  });

  it('says how long ago', () => {
    const now = Date.UTC(2024, 0, 1);
    expect(formatAge(now - 2000, now)).toBe('just now');
    expect(formatAge(now - 42_000, now)).toBe('42 s ago');
    expect(formatAge(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAge(now - 3 * 3600_000, now)).toBe('3 h ago');
  });
});
