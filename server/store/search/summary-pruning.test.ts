import { beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../fixtures/synthetic-traces';
import { splitTracesByTraceId } from '../../otlp/split-traces';
import { searchTraceFromOtlp } from '../../search-model/otlp-to-search';
import type { SearchTrace } from '../../search-model/search-trace';
import { parseTraceQL } from '../../traceql';
import { type LoadedRowGroup, loadRowGroups, rowGroupMayMatch, type SearchSummary } from './search-summary';
import { SidecarColumns } from './sidecar-columns';

/**
 * The row-group summaries may only dismiss a group that holds no match: a wrong dismissal is a
 * trace search silently never finds. And for a rare value they should dismiss nearly every group.
 */

let traces: SearchTrace[];
/** The row group each trace landed in. */
const groupOf = new Map<string, number>();
let groups: LoadedRowGroup[];

beforeAll(() => {
  const { requests } = generateTraceRequests({
    traces: 9000,
    spansPerTrace: [8, 14],
    spansPerRequest: 400,
    seed: 11,
  });
  const parts = new Map<string, Uint8Array[]>();
  for (const request of requests) {
    for (const f of splitTracesByTraceId(request).fragments)
      parts.set(f.key, [...(parts.get(f.key) ?? []), f.data]);
  }
  traces = [...parts].map(([key, data]) => searchTraceFromOtlp(key, data));
  traces.sort((a, b) => (a.startUnixNano > b.startUnixNano ? -1 : a.startUnixNano < b.startUnixNano ? 1 : 0));
  const columns = new SidecarColumns();
  for (const trace of traces) {
    groupOf.set(trace.traceId, columns.rowGroups.length);
    columns.addTrace(trace);
  }
  columns.finish();
  // Through JSON, as search-summary.json is stored and loaded.
  const summary = JSON.parse(JSON.stringify({ rowGroups: columns.rowGroups })) as SearchSummary;
  groups = loadRowGroups(summary);
}, 60_000);

/** Queries over every kind of condition the prefilter can express; each must never dismiss a group holding a match. */
const QUERIES = [
  '{}',
  '{ span.http.status_code = 500 }',
  '{ span.http.status_code = 503 }',
  '{ span.http.status_code = "500" }',
  '{ span.http.status_code >= 500 }',
  '{ span.http.status_code != 200 }',
  '{ .http.status_code = 404 }',
  '{ resource.service.name = "payment" }',
  '{ resource.service.name = "nothing-here" }',
  '{ .service.name = "cart" }',
  '{ resource.telemetry.sdk.language = "rust" }',
  '{ .deployment.environment = "production" }',
  '{ span.db.system = "redis" }',
  '{ span.app.cache_hit = true }',
  '{ span.app.cache_hit }',
  '{ !span.app.cache_hit }',
  '{ span.app.items = 7 }',
  '{ span.app.discount > 5.5 }',
  '{ name = "GET /api/orders/{id}" }',
  '{ name = "render" && kind = internal }',
  '{ name =~ "GET.*" }',
  '{ name !~ "GET.*" }',
  '{ status = error }',
  '{ status = ok }',
  '{ status = unset }',
  '{ status != unset }',
  '{ status != error }',
  '{ statusMessage = "request failed" }',
  '{ kind = server }',
  '{ kind = consumer }',
  '{ kind != server }',
  '{ duration > 500ms }',
  '{ duration < 100us }',
  '{ duration >= 10ms && duration <= 20ms }',
  '{ duration = 2ms }',
  '{ traceDuration > 800ms }',
  '{ traceDuration < 60ms }',
  '{ traceDuration > 1h }',
  '{ rootServiceName = "frontend" }',
  '{ rootServiceName != "frontend" }',
  '{ rootName = "GET /api/shop/{id}" }',
  '{ span.db.system = nil }',
  '{ span.db.system != nil }',
  '{ .db.system != nil }',
  '{ span.nope = nil }',
  '{ span.nope != nil }',
  '{ event:name = "exception" }',
  '{ event.exception.type = "TimeoutError" }',
  '{ link.link.reason = "follows-from" }',
  '{ event.exception.type != nil }',
  '{ link.link.reason =~ "follows.*" }',
  '{ resource.host.name =~ "cart-.*" }',
  '{ span.http.method =~ "P.*" }',
  '{ span.http.method !~ "G.*" }',
  '{ span.http.method != "GET" }',
  '{ span.http.status_code = 503 || resource.service.name = "auth" }',
  '{ span.http.status_code = 503 } && { resource.service.name = "auth" }',
  '{ span.http.status_code = 503 } || { resource.service.name = "auth" }',
  '{ span.http.method = "DELETE" && status = error }',
  '{ resource.service.name = "frontend" } >> { span.db.system = "mongodb" }',
  '{ resource.service.name = "frontend" } > { kind = server }',
  '{ kind = client } ~ { span.db.system = "postgresql" }',
  '{ resource.service.name = "checkout" } !> { status = error }',
  '{ span.http.status_code = 503 } | count() > 1',
  '{ status = error } | by(resource.service.name)',
  '{ span.db.system = "redis" } | { duration > 1ms }',
  '{ } | select(span.http.method)',
];

function check(text: string) {
  const query = parseTraceQL(text);
  const wanted = new Set<number>();
  for (const trace of traces) if (query.evaluate(trace).length > 0) wanted.add(groupOf.get(trace.traceId)!);
  const passed = new Set(groups.flatMap((group, i) => (rowGroupMayMatch(group, query.prefilter) ? [i] : [])));
  return { wanted, passed };
}

describe('row-group summaries', () => {
  it('come in several groups', () => {
    expect(groups.length).toBeGreaterThanOrEqual(6);
  });

  it.each(QUERIES)('never dismiss a group holding a match of %s', (text) => {
    const { wanted, passed } = check(text);
    for (const group of wanted)
      expect(passed.has(group), `group ${group} holds a match but was dismissed`).toBe(true);
  });

  it('dismiss every group but the one (or a false positive) holding a rare value', () => {
    const rare = traces[Math.floor(traces.length / 2)];
    const userId = rare.spans.find((s) => s.attributes.has('user.id'))!.attributes.get('user.id');
    const cases = [
      `{ span.user.id = "${userId}" }`,
      `{ .user.id = "${userId}" }`,
      `{ span.user.id = "${userId}" && kind = server }`,
      `{ span.user.id = "${userId}" } >> { }`,
    ];
    for (const text of cases) {
      const { wanted, passed } = check(text);
      expect(wanted, text).toEqual(new Set([groupOf.get(rare.traceId)]));
      expect(groups.length - passed.size, `${text}: groups dismissed`).toBeGreaterThanOrEqual(
        groups.length - 2,
      );
    }
  });

  it('dismiss every group for a value, name, root or enum nobody has', () => {
    const cases = [
      '{ span.user.id = "user-0" }',
      '{ span.customer.id = "cust-NOPE" }',
      '{ name = "no such span" }',
      '{ rootServiceName = "payment" }',
      '{ rootName = "SELECT catalog" }',
      '{ event:name = "no-event" }',
      '{ statusMessage = "never said" }',
      '{ status = ok }',
      '{ kind = consumer }',
      '{ kind = producer }',
      '{ duration > 1h }',
      '{ traceDuration > 1h }',
      '{ span.nope != nil }',
      '{ resource.service.name = "frontend" && span.http.status_code = 999 }',
    ];
    for (const text of cases) {
      const { wanted, passed } = check(text);
      expect(wanted.size, text).toBe(0);
      expect(passed.size, `${text}: groups kept`).toBeLessThanOrEqual(1);
    }
  });

  it('keep every group for a value every group holds', () => {
    for (const text of [
      '{ resource.service.name = "frontend" }',
      '{ status = error }',
      '{ kind = server }',
      '{ span.http.method = "GET" }',
    ]) {
      expect(check(text).passed.size, text).toBe(groups.length);
    }
  });
});
