import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { NO_UNFLUSHED } from '../query/unflushed-source';
import { QueryDeadline } from '../query-guards/deadline';
import { searchTraceFromOtlp } from '../search-model/otlp-to-search';
import type { SpanSetMatch } from '../search-model/search-query';
import type { SearchTrace } from '../search-model/search-trace';
import { LocalBackend } from '../store/backend/local-backend';
import { buildBlock, writeBlock } from '../store/block-writer';
import { Blocklist } from '../store/blocklist';
import { newestFirst, wholeTraces } from '../store/store-test-support';
import { parseTraceQL } from '../traceql';
import { TraceSearch } from './trace-search';

/**
 * A search over a block reads only the columns (and rows) its query needs; whatever it skips,
 * the answer must be what evaluating the query on the fully decoded traces gives: same traces,
 * same order, same span sets with the same attributes.
 */

const TENANT = 'block-search';
let dir: string;
let search: TraceSearch;
let traces: SearchTrace[];

beforeAll(async () => {
  const { requests } = generateTraceRequests({
    traces: 4000,
    spansPerTrace: [3, 12],
    spansPerRequest: 400,
    seed: 21,
  });
  const whole = wholeTraces(requests);
  const records = whole.map(({ record }) => record);
  traces = whole.map(({ key, parts }) => searchTraceFromOtlp(key, parts));
  // Newest first, ties by trace ID: the order search answers in.
  traces.sort(newestFirst);
  dir = await mkdtemp(join(tmpdir(), 'loupe-block-search-'));
  const backend = new LocalBackend(dir);
  const options = {
    tenantId: TENANT,
    blockId: randomUUID(),
    traces: records,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 100 * 1024,
  };
  await writeBlock(backend, buildBlock(options));
  const blocklist = new Blocklist();
  await blocklist.load(backend);
  search = new TraceSearch({
    unflushed: NO_UNFLUSHED,
    blocks: blocklist,
  });
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a user sees of a hit: the trace, and its span sets by span ID with their attributes. */
function shown(traceId: string, matches: SpanSetMatch[]) {
  const sets = matches.map((set) => ({
    matched: set.matched,
    spans: set.spans.map(({ span, attributes }) => ({ id: span.spanId, name: span.name, attributes })),
    attributes: set.attributes,
  }));
  return { traceId, sets };
}

function bruteForce(traceql: string, limit = Number.POSITIVE_INFINITY) {
  const query = parseTraceQL(traceql);
  const out: ReturnType<typeof shown>[] = [];
  for (const trace of traces) {
    if (out.length >= limit) break;
    const matches = query.evaluate(trace);
    if (matches.length > 0) out.push(shown(trace.traceId, matches));
  }
  return out;
}

async function fromBlock(traceql: string, limit = 100_000) {
  const result = await search.search(
    TENANT,
    { query: parseTraceQL(traceql), limit },
    QueryDeadline.unbounded(),
  );
  return result.hits.map((hit) => shown(hit.trace.traceId, hit.matches));
}

const some = () => traces[1234];

describe('a search over one block', () => {
  it.each([
    '{ statusMessage = "request failed" }',
    '{ span:statusMessage =~ "request.*" } | select(span.http.method)',
    '{ event:name = "exception" }',
    '{ event.exception.type = "TimeoutError" } | select(event.exception.message, event:name)',
    '{ event:timeSinceStart > 1ms }',
    '{ link.link.reason = "follows-from" } | select(link:traceID, link:spanID)',
    '{ link:spanID != nil }',
    '{ kind = server } | select(resource.service.version, span.url.full, span:parentID)',
    '{ span:childCount > 3 }',
    '{ .http.status_code = 500 } | select(statusMessage, .user.id)',
    '{ .telemetry.sdk.language = "python" && kind = server }',
    '{ } | by(resource.telemetry.sdk.language) | count() > 3',
    '{ status = error } | avg(duration) > 10ms',
    '{ span.app.discount > 5 } | max(span.app.discount) > 9',
    '{ trace:rootService = "frontend" && trace:duration > 500ms }',
    '{ rootName =~ "GET.*" && span.db.system = "redis" }',
    '{ resource.service.name = "cart" } ~ { resource.service.name = "cart" }',
    '{ kind = server } >> { span.db.system = "postgresql" && span.db.statement =~ ".*LIMIT 1" }',
    '{ kind = server } > { kind = client && status = error }',
    '{ resource.service.name = "checkout" } !> { status = error }',
    '{ span.http.method = "DELETE" } && { resource.service.name = "payment" }',
    '{ name = "apply pricing" } || { span.app.cache_hit = false && span.app.items > 38 }',
    '{ .customer.id != nil } | select(event:name, span:id)',
  ])('%s: the same hits and span sets as evaluating every decoded trace', async (traceql) => {
    const expected = bruteForce(traceql);
    expect(expected.length, 'the query matches something').toBeGreaterThan(0);
    expect(await fromBlock(traceql)).toEqual(expected);
  });

  it('finds one trace by trace:id and one span by span:id', async () => {
    const trace = some();
    const span = trace.spans[trace.spans.length - 1];
    expect((await fromBlock(`{ trace:id = "${trace.traceId}" }`)).map((h) => h.traceId)).toEqual([
      trace.traceId,
    ]);
    const bySpan = await fromBlock(`{ span:id = "${span.spanId}" }`);
    expect(bySpan.map((h) => [h.traceId, h.sets[0].spans.map((s) => s.id)])).toEqual([
      [trace.traceId, [span.spanId]],
    ]);
  });

  it.each([1, 20, 333])(
    'with limit %i, answers the newest matches, as evaluating every trace does',
    async (limit) => {
      for (const traceql of [
        '{}',
        '{ status = error }',
        '{ span.http.status_code = 200 && kind = server }',
      ]) {
        const answer = await fromBlock(traceql, limit);
        expect(
          answer.map((h) => h.traceId),
          traceql,
        ).toEqual(bruteForce(traceql, limit).map((h) => h.traceId));
      }
    },
  );

  it('keeps only traces overlapping the requested time range', async () => {
    const sorted = [...traces].reverse(); // oldest first
    const from = sorted[1000];
    const to = sorted[1100];
    const startMs = Number(from.startUnixNano / 1_000_000n);
    const endMs = Number(to.startUnixNano / 1_000_000n);
    const query = parseTraceQL('{}');
    const result = await search.search(
      TENANT,
      { query, limit: 100_000, startMs, endMs },
      QueryDeadline.unbounded(),
    );
    const expected = traces.filter((t) => {
      const start = Number(t.startUnixNano / 1_000_000n);
      return start <= endMs && start + t.durationNanos / 1e6 >= startMs;
    });
    expect(expected.length).toBeGreaterThan(100);
    expect(result.hits.map((h) => h.trace.traceId)).toEqual(expected.map((t) => t.traceId));
  });
});
