import { type FindOptions, type FoundTrace, lookupKey, type TraceLookup } from '../query/find-trace';

/** How long a page's answer waits for the app's request, and how many bytes of them wait at most. */
const PAGE_ANSWER_TTL_MS = 10_000;
const PAGE_ANSWER_MAX_BYTES = 64 * 2 ** 20;

/**
 * The hand-off between a trace page rendered by the server and the app that then asks for the
 * same trace: the answer the page was made from is the answer to the next request for that
 * trace within a few seconds (the app's, once its code has loaded), and to that one only. The
 * app then shows what the page showed, and the trace is not searched twice.
 *
 * It wraps any `TraceLookup` (the `TraceFinder`), which stays unaware of pages; every trace-by-ID
 * request goes through `findTraceById` here so that it can take a kept answer.
 */
export class TracePageLookups implements TraceLookup {
  /** Answers a rendered page was made from, kept for the app's own request that follows it. */
  private readonly pageAnswers = new Map<string, { found: FoundTrace; until: number }>();
  /** Page lookups under way whose answer no other request has shared yet. */
  private readonly pagesWaiting = new Set<string>();

  constructor(
    private readonly lookup: TraceLookup,
    private readonly now: () => number = Date.now,
  ) {}

  findTraceById(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts: FindOptions = {},
  ): Promise<FoundTrace | undefined> {
    const flight = lookupKey(tenantId, key, opts);
    const kept = this.pageAnswers.get(flight);
    if (kept) {
      this.pageAnswers.delete(flight);
      if (kept.until >= this.now()) return Promise.resolve(kept.found);
    }
    // A request that shares a page's lookup in flight is the one its answer would be kept for.
    this.pagesWaiting.delete(flight);
    return this.lookup.findTraceById(tenantId, traceId, key, opts);
  }

  /** A lookup for a page rendered ahead of the app; its answer is kept for the app's request. */
  async findTraceForPage(tenantId: string, traceId: Buffer, key: string): Promise<FoundTrace | undefined> {
    const flight = lookupKey(tenantId, key, {});
    // A page searches afresh: taking an earlier page's answer would pass it on from page to page.
    this.pageAnswers.delete(flight);
    const lookup = this.lookup.findTraceById(tenantId, traceId, key);
    this.pagesWaiting.add(flight);
    let found: FoundTrace | undefined;
    let unshared = false;
    try {
      found = await lookup;
    } finally {
      unshared = this.pagesWaiting.delete(flight);
    }
    if (found && unshared) this.keep(flight, found);
    return found;
  }

  private keep(flight: string, found: FoundTrace): void {
    if (found.data.length > PAGE_ANSWER_MAX_BYTES) return;
    const now = this.now();
    this.pageAnswers.delete(flight);
    let bytes = found.data.length;
    // Newest last: keep what fits, dropping the expired and then the oldest.
    for (const [other, kept] of [...this.pageAnswers].reverse()) {
      if (kept.until >= now && bytes + kept.found.data.length <= PAGE_ANSWER_MAX_BYTES) {
        bytes += kept.found.data.length;
      } else {
        this.pageAnswers.delete(other);
      }
    }
    this.pageAnswers.set(flight, { found, until: now + PAGE_ANSWER_TTL_MS });
  }
}
