import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedProtobuf } from '../../fixtures/hostile/corpus';
import {
  anyBytes,
  bitFlips,
  emptyMessages,
  expectCleanDecode,
  fuzzRuns,
  mutatedSeed,
  truncations,
} from '../../fixtures/hostile/fuzz';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { combineTraceParts } from './combine-trace';
import { OtlpDecodeError } from './errors';
import { RequestIndex } from './request-index';
import { forEachSpan } from './span-visitor';
import { splitTracesByTraceId } from './split-traces';
import { tracesDataToTempoJson } from './tempo-json';

/**
 * Issue 15: the trace decoders on hostile bytes. Each returns or throws `OtlpDecodeError`, fast;
 * and whatever the splitter accepts, the readers after it (span visitor, combine, Tempo JSON)
 * read without throwing at all, since stored data that fails to read breaks every later query.
 */

const ONLY_DECODE_ERRORS = [OtlpDecodeError];
const SEEDS = [
  seedProtobuf('traces'),
  ...generateTraceRequests({ traces: 3, spansPerTrace: [2, 4], spansPerRequest: 5, seed: 15 }).requests,
];

/** Everything the splitter's output goes through; must never throw. */
function readAccepted(body: Buffer): void {
  const split = splitTracesByTraceId(body);
  let visited = 0;
  forEachSpan(body, (span) => {
    span.idHex(span.traceIdAt, span.traceIdLength);
    span.startUnixNano();
    span.endUnixMs();
    for (const a = span.spanAttributes(); a.next(); )
      a.valueText({ maxBytes: 64, statusMessage: true, truncated: 0 });
    for (const a = span.resourceAttributes(); a.next(); ) a.key();
    for (const a = span.scopeAttributes(); a.next(); ) a.valueType();
    visited++;
  });
  expect(visited).toBe(split.acceptedSpans + split.rejectedSpans);
  for (const fragment of split.fragments) {
    let spans = 0;
    forEachSpan(fragment.data, () => spans++);
    expect(spans).toBe(fragment.spanCount);
    // A trace read back from two copies of itself (WAL and block) is the trace once.
    const combined = combineTraceParts([fragment.data, fragment.data], 0);
    expect(combined.spanCount).toBeLessThanOrEqual(fragment.spanCount);
    tracesDataToTempoJson(combined.data);
    const cut = combineTraceParts([fragment.data], Math.max(1, fragment.data.length >> 1));
    tracesDataToTempoJson(cut.data);
  }
}

/** The splitter on `body`: its own error or a result; when it accepts, the readers must too. */
function checkTraceChain(body: Buffer): void {
  const split = expectCleanDecode(
    'splitTracesByTraceId',
    () => splitTracesByTraceId(body),
    ONLY_DECODE_ERRORS,
  );
  if (split) expectCleanDecode('reading an accepted request', () => readAccepted(body), []);
}

/** The readers on bytes the splitter never saw: their own error or a result. */
function checkReadersAlone(body: Buffer): void {
  expectCleanDecode('forEachSpan', () => forEachSpan(body, () => {}), ONLY_DECODE_ERRORS);
  expectCleanDecode('combineTraceParts', () => combineTraceParts([SEEDS[0], body], 0), ONLY_DECODE_ERRORS);
  expectCleanDecode(
    'combineTraceParts (capped)',
    () => combineTraceParts([body, SEEDS[0]], 200),
    ONLY_DECODE_ERRORS,
  );
  expectCleanDecode('tracesDataToTempoJson', () => tracesDataToTempoJson(body), ONLY_DECODE_ERRORS);
}

describe('trace decoders on hostile bytes', () => {
  it('the seeds are valid: every span accepted', () => {
    for (const seed of SEEDS) {
      const split = splitTracesByTraceId(seed);
      expect(split.rejectedSpans).toBe(0);
      readAccepted(seed);
    }
  });

  it('a valid request cut at every byte', () => {
    for (const seed of SEEDS.slice(0, 2)) {
      for (const cut of truncations(seed)) {
        checkTraceChain(cut);
        checkReadersAlone(cut);
      }
    }
  });

  it('seeded bit flips of a valid request', () => {
    for (const flipped of [...bitFlips(SEEDS[0], 400, 1), ...bitFlips(SEEDS[1], 200, 3)]) {
      checkTraceChain(flipped);
      checkReadersAlone(flipped);
    }
  });

  it('mutated valid requests (flips, cuts, inserted varints, spliced ranges)', () => {
    fc.assert(
      fc.property(mutatedSeed(SEEDS), (body) => {
        checkTraceChain(body);
        checkReadersAlone(body);
      }),
      fuzzRuns(1500),
    );
  });

  it('records no offsets for resources and scopes without a kept span (10 million of them were 400 MB)', () => {
    const seed = SEEDS[0];
    // Empty resources, a resource of empty scopes, a resource whose only span is rejected, and the seed.
    const noIdSpan = Buffer.from([0x0a, 0x04, 0x12, 0x02, 0x12, 0x00]);
    const emptyScopes = Buffer.concat([Buffer.from([0x0a, 0xd0, 0x0f]), emptyMessages(0x12, 1000)]); // 2,000 bytes
    const body = Buffer.concat([
      emptyMessages(0x0a, 100_000),
      emptyScopes,
      noIdSpan,
      seed,
      emptyMessages(0x0a, 10),
    ]);
    const index = new RequestIndex(body);
    index.read();
    const seedIndex = new RequestIndex(seed);
    seedIndex.read();
    expect(index.rsHeaderFirst.length).toBe(seedIndex.rsHeaderFirst.length);
    expect(index.ssResource.length).toBe(seedIndex.ssResource.length);
    const split = splitTracesByTraceId(body);
    expect(split.fragments.map((f) => f.spanCount)).toEqual(
      splitTracesByTraceId(seed).fragments.map((f) => f.spanCount),
    );
    expect(split.rejectedSpans).toBe(1);
    readAccepted(body);
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(anyBytes, (body) => {
        checkTraceChain(body);
        checkReadersAlone(body);
      }),
      fuzzRuns(1500),
    );
  });
});
