import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../fixtures/synthetic-traces';
import { NO_UNFLUSHED } from '../../query/unflushed-source';
import { QueryDeadline } from '../../query-guards/deadline';
import { TraceSearch } from '../../search/trace-search';
import { searchTraceFromOtlp } from '../../search-model/otlp-to-search';
import type { SearchTrace } from '../../search-model/search-trace';
import { parseTraceQL } from '../../traceql';
import { LocalBackend } from '../backend/local-backend';
import { buildBlock, writeBlock } from '../block-writer';
import { Blocklist } from '../blocklist';
import { wholeTraces } from '../store-test-support';
import { SIDECAR_OBJECT } from './search-layout';

/**
 * The sidecar is plain Parquet: DuckDB must read it as written, and a SQL filter over its
 * columns must pick the same traces as Loupe's TraceQL search over the same block.
 */

const TENANT = 'duck';
let dir: string;
let file: string;
let duck: DuckDBInstance;
let sql: DuckDBConnection;
let search: TraceSearch;
let expected: SearchTrace[];

beforeAll(async () => {
  const { requests } = generateTraceRequests({
    traces: 3000,
    spansPerTrace: [3, 12],
    spansPerRequest: 300,
    seed: 5,
  });
  const whole = wholeTraces(requests);
  const traces = whole.map(({ record }) => record);
  expected = whole.map(({ key, parts }) => searchTraceFromOtlp(key, parts));

  dir = await mkdtemp(join(tmpdir(), 'loupe-duck-'));
  const backend = new LocalBackend(dir);
  const blockId = randomUUID();
  await writeBlock(
    backend,
    buildBlock({
      tenantId: TENANT,
      blockId,
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 100 * 1024,
    }),
  );
  file = join(dir, TENANT, blockId, SIDECAR_OBJECT);
  expect(existsSync(file)).toBe(true);
  const blocklist = new Blocklist();
  await blocklist.load(backend);
  search = new TraceSearch({ unflushed: NO_UNFLUSHED, blocks: blocklist });

  duck = await DuckDBInstance.create(':memory:');
  sql = await duck.connect();
}, 60_000);

afterAll(async () => {
  sql?.closeSync();
  duck?.closeSync();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function rows(query: string): Promise<Record<string, unknown>[]> {
  const reader = await sql.runAndReadAll(query.replaceAll('$FILE', `read_parquet('${file}')`));
  return reader.getRowObjects() as Record<string, unknown>[];
}

async function duckTraceIds(where: string): Promise<string[]> {
  return (await rows(`SELECT DISTINCT lower(hex(trace_id)) AS trace_id FROM $FILE WHERE ${where}`))
    .map((r) => r.trace_id as string)
    .sort();
}

async function loupeTraceIds(traceql: string): Promise<string[]> {
  const result = await search.search(
    TENANT,
    { query: parseTraceQL(traceql), limit: 100_000 },
    QueryDeadline.unbounded(),
  );
  return result.hits.map((hit) => hit.trace.traceId).sort();
}

/** The same traces by brute force: every trace evaluated, no summaries, no column pruning. */
function bruteForce(traceql: string): string[] {
  const query = parseTraceQL(traceql);
  return expected
    .filter((t) => query.evaluate(t).length > 0)
    .map((t) => t.traceId)
    .sort();
}

describe('the search sidecar read by DuckDB', () => {
  it('has every span: row count, trace and span IDs and durations as written', async () => {
    const spans = expected
      .flatMap((t) => t.spans.map((s) => `${t.traceId}/${s.spanId}/${s.durationNanos}`))
      .sort();
    const [{ n, traces }] = await rows('SELECT count(*) AS n, count(DISTINCT trace_id) AS traces FROM $FILE');
    expect(Number(n)).toBe(spans.length);
    expect(Number(traces)).toBe(expected.length);
    const read = (
      await rows(
        'SELECT lower(hex(trace_id)) AS trace_id, lower(hex(span_id)) AS span_id, duration_nanos FROM $FILE',
      )
    ).map((r) => `${r.trace_id}/${r.span_id}/${r.duration_nanos}`);
    expect(read.sort()).toEqual(spans);
  });

  it("types the columns for SQL: IDs as bytes (hex() gives the API's IDs), times and durations as BIGINT, typed attribute columns", async () => {
    const [types] = await rows(
      `SELECT typeof(trace_id) AS trace_id, typeof(span_id) AS span_id, typeof(start_unix_nano) AS start,
              typeof(duration_nanos) AS duration, typeof(kind) AS kind, typeof("span.http.status_code") AS status_code,
              typeof("span.app.cache_hit") AS cache_hit, typeof("span.app.discount") AS discount
       FROM $FILE LIMIT 1`,
    );
    expect(types).toEqual({
      trace_id: 'BLOB',
      span_id: 'BLOB',
      start: 'BIGINT',
      duration: 'BIGINT',
      kind: 'INTEGER',
      status_code: 'BIGINT',
      cache_hit: 'BOOLEAN',
      discount: 'DOUBLE',
    });
    const starts = new Map(expected.flatMap((t) => t.spans.map((s) => [s.spanId, s.startUnixNano] as const)));
    for (const r of await rows(
      'SELECT lower(hex(span_id)) AS span_id, start_unix_nano, trace_start_unix_nano, lower(hex(trace_id)) AS trace_id FROM $FILE USING SAMPLE 200 ROWS',
    )) {
      expect(r.start_unix_nano).toBe(starts.get(r.span_id as string));
      expect(r.trace_start_unix_nano).toBe(expected.find((t) => t.traceId === r.trace_id)!.startUnixNano);
    }
  });

  it('has the row groups the summary describes, newest trace first', async () => {
    const groups = await rows(
      `SELECT row_group_id, max(row_group_num_rows) AS n FROM parquet_metadata('${file}') GROUP BY row_group_id ORDER BY row_group_id`,
    );
    expect(groups.length).toBeGreaterThanOrEqual(2);
    const starts = await rows('SELECT trace_start_unix_nano AS s FROM $FILE');
    for (let i = 1; i < starts.length; i++)
      expect((starts[i].s as bigint) <= (starts[i - 1].s as bigint)).toBe(true);
  });

  it.each([
    [
      '"span.http.status_code" = 500 AND service_name = \'checkout\'',
      '{ span.http.status_code = 500 && resource.service.name = "checkout" }',
    ],
    [
      '"resource.service.name" = \'payment\' AND kind = 3',
      '{ resource.service.name = "payment" && kind = client }',
    ],
    ['"span.db.system" = \'redis\'', '{ span.db.system = "redis" }'],
    ['status_code = 2', '{ status = error }'],
    ['duration_nanos > 500000000', '{ duration > 500ms }'],
    [
      '"span.http.method" = \'DELETE\' AND "span.http.status_code" = 200',
      '{ span.http.method = "DELETE" && span.http.status_code = 200 }',
    ],
    [
      '"span.app.items" >= 35 AND "span.app.cache_hit" = false',
      '{ span.app.items >= 35 && span.app.cache_hit = false }',
    ],
    [
      "root_service_name = 'frontend' AND trace_duration_nanos > 800000000",
      '{ rootServiceName = "frontend" && traceDuration > 800ms }',
    ],
    ['"span.http.method" IS NOT NULL AND "span.http.method" <> \'GET\'', '{ span.http.method != "GET" }'],
    [
      'regexp_full_match("span.http.route", \'/api/(orders|payments)/.*\')',
      '{ span.http.route =~ "/api/(orders|payments)/.*" }',
    ],
  ])('SQL %s picks the traces TraceQL %s finds', async (where, traceql) => {
    const fromDuck = await duckTraceIds(where);
    expect(fromDuck.length).toBeGreaterThan(0);
    expect(bruteForce(traceql)).toEqual(fromDuck);
    expect(await loupeTraceIds(traceql)).toEqual(fromDuck);
  });

  it('reads the events JSON column: exception events as TraceQL sees them', async () => {
    const fromDuck = await duckTraceIds(
      `events IS NOT NULL AND list_contains(json_extract_string(events, '$[*].attributes."exception.type"'), 'TimeoutError')`,
    );
    expect(fromDuck.length).toBeGreaterThan(0);
    expect(await loupeTraceIds('{ event.exception.type = "TimeoutError" }')).toEqual(fromDuck);
  });
});
