import { describe, expect, it } from 'vitest';
import type { FindOptions, FoundTrace, TraceLookup } from '../query/find-trace';
import { TracePageLookups } from './trace-page-lookups';

/** A lookup whose answers the test releases by hand, counting searches. */
class ControlledLookup implements TraceLookup {
  searches = 0;
  private pending: ((found: FoundTrace) => void)[] = [];
  private inFlight?: Promise<FoundTrace | undefined>;

  findTraceById(_t: string, _id: Buffer, _key: string, _opts?: FindOptions): Promise<FoundTrace | undefined> {
    // Like TraceFinder: concurrent lookups share one search.
    if (this.inFlight) return this.inFlight;
    this.searches++;
    this.inFlight = new Promise<FoundTrace>((resolve) => this.pending.push(resolve)).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  answer(spanCount: number): FoundTrace {
    const found = { data: Buffer.alloc(spanCount), spanCount, truncated: false };
    for (const resolve of this.pending.splice(0)) resolve(found);
    return found;
  }
}

const id = Buffer.alloc(16, 1);
const key = id.toString('hex');

describe('TracePageLookups: a page hands its answer to the app', () => {
  it("the app's request after the page gets the page's answer, once, without a search", async () => {
    const lookup = new ControlledLookup();
    const lookups = new TracePageLookups(lookup);
    const page = lookups.findTraceForPage('t', id, key);
    const pageAnswer = lookup.answer(2);
    expect(await page).toBe(pageAnswer);
    expect(await lookups.findTraceById('t', id, key)).toBe(pageAnswer);
    expect(lookup.searches).toBe(1);
    // The next request searches again.
    const later = lookups.findTraceById('t', id, key);
    lookup.answer(3);
    expect((await later)?.spanCount).toBe(3);
    expect(lookup.searches).toBe(2);
  });

  it('an app request that joined the page lookup in flight takes its place: nothing is kept', async () => {
    const lookup = new ControlledLookup();
    const lookups = new TracePageLookups(lookup);
    const page = lookups.findTraceForPage('t', id, key);
    const app = lookups.findTraceById('t', id, key);
    const shared = lookup.answer(2);
    expect(await page).toBe(shared);
    expect(await app).toBe(shared);
    const next = lookups.findTraceById('t', id, key);
    lookup.answer(4);
    expect((await next)?.spanCount).toBe(4);
  });

  it('a kept answer expires after 10 s, and another tenant or time range never takes it', async () => {
    let now = 1_000_000;
    const lookup = new ControlledLookup();
    const lookups = new TracePageLookups(lookup, () => now);
    const page = lookups.findTraceForPage('t', id, key);
    lookup.answer(2);
    await page;
    const otherTenant = lookups.findTraceById('other', id, key);
    lookup.answer(5);
    expect((await otherTenant)?.spanCount).toBe(5);
    const otherRange = lookups.findTraceById('t', id, key, { startMs: 1 });
    lookup.answer(6);
    expect((await otherRange)?.spanCount).toBe(6);
    now += 10_001;
    const expired = lookups.findTraceById('t', id, key);
    lookup.answer(7);
    expect((await expired)?.spanCount).toBe(7);
  });

  it('a page always searches afresh: one page never passes its answer to the next page', async () => {
    const lookup = new ControlledLookup();
    const lookups = new TracePageLookups(lookup);
    const first = lookups.findTraceForPage('t', id, key);
    lookup.answer(2);
    await first;
    const second = lookups.findTraceForPage('t', id, key);
    lookup.answer(3);
    expect((await second)?.spanCount).toBe(3);
    expect(lookup.searches).toBe(2);
  });
});
