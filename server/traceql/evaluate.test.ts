import { describe, expect, it } from 'vitest';
import { parseTraceQL } from './query';
import { buildTrace, matchedNames } from './trace-fixtures';

/**
 * One request through four services:
 *
 *   GET / (frontend, server, ok, 100ms)
 *   ├── auth (auth, client, 10ms)
 *   ├── db query (db, client, error "timeout", 50ms, two events)
 *   └── publish (queue, producer, 2ms, one link)
 */
const shop = buildTrace([
  {
    id: '1',
    name: 'GET /',
    service: 'frontend',
    kind: 'server',
    status: 'ok',
    durationMs: 100,
    attrs: { 'http.method': 'GET', 'http.status_code': 200, retry: false, x: 1, y: 1, code: 2 },
    resource: { 'deployment.environment': 'prod', region: 'eu' },
  },
  {
    id: '2',
    parent: '1',
    name: 'auth',
    service: 'auth',
    kind: 'client',
    startMs: 5,
    durationMs: 10,
    attrs: { 'http.status_code': '200', region: 'us', x: 1, y: '1' },
    resource: { region: 'eu' },
  },
  {
    id: 'd3',
    parent: '1',
    name: 'db query',
    service: 'db',
    kind: 'client',
    status: 'error',
    statusMessage: 'timeout',
    startMs: 20,
    durationMs: 50,
    attrs: { 'db.system': 'postgresql', rows: 12.5, cached: true },
    events: [
      { name: 'exception', atMs: 5, attrs: { 'exception.type': 'Timeout' } },
      { name: 'retry', atMs: 20 },
    ],
  },
  {
    id: '4',
    parent: '1',
    name: 'publish',
    service: 'queue',
    kind: 'producer',
    startMs: 80,
    durationMs: 2,
    attrs: { 'messaging.system': 'kafka' },
    links: [{ traceId: 'ff', spanId: '99', attrs: { 'link.kind': 'follows' } }],
  },
]);

const ALL = ['GET /', 'auth', 'db query', 'publish'];
const matches = (query: string) => matchedNames(query, shop);

describe('evaluate: comparison operators', () => {
  it.each<[string, string[]]>([
    ['{ name = "auth" }', ['auth']],
    ['{ name != "auth" }', ['GET /', 'db query', 'publish']],
    ['{ name > "d" }', ['db query', 'publish']],
    ['{ name >= "db query" }', ['db query', 'publish']],
    ['{ name < "auth" }', ['GET /']],
    ['{ name <= "auth" }', ['GET /', 'auth']],
    ['{ name =~ "d.*" }', ['db query']],
    ['{ name =~ "(?i)get.*" }', ['GET /']],
    ['{ name !~ ".*u.*" }', ['GET /']],
    ['{ span.rows > 12 }', ['db query']],
    ['{ span.rows = 12.5 }', ['db query']],
    ['{ span.rows >= 12.5 }', ['db query']],
    ['{ span.rows < 13 }', ['db query']],
    ['{ span.rows <= 12.5 }', ['db query']],
    ['{ span.rows > 12.5 }', []],
    ['{ span.http.status_code = 200.0 }', ['GET /']],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('anchors regexes at both ends, as Tempo does since 2.7', () => {
    expect(matches('{ name =~ "b" }')).toEqual([]);
    expect(matches('{ name =~ ".*b.*" }')).toEqual(['db query', 'publish']);
    expect(matches('{ name !~ "auth|publish" }')).toEqual(['GET /', 'db query']);
  });
});

describe('evaluate: types and nil (Tempo rules)', () => {
  it.each<[string, string[]]>([
    // A string attribute never compares with a number, not even with !=.
    ['{ span.http.status_code = 200 }', ['GET /']],
    ['{ span.http.status_code = "200" }', ['auth']],
    ['{ span.http.status_code != 200 }', []],
    ['{ span.http.status_code >= 200 }', ['GET /']],
    ['{ span.http.status_code > "1" }', ['auth']],
    ['{ span.http.status_code =~ "2.*" }', ['auth']],
    ['{ span.cached = "true" }', []],
    // An attribute holding 2 is not the status error.
    ['{ span.code = error }', []],
    ['{ span.code = 2 }', ['GET /']],
    // A missing attribute satisfies only = nil.
    ['{ span.foo != "x" }', []],
    ['{ span.foo < 1 }', []],
    ['{ !(span.foo = "x") }', ALL],
    ['{ span.db.system != nil }', ['db query']],
    ['{ span.db.system = nil }', ['GET /', 'auth', 'publish']],
    ['{ nil != span.db.system }', ['db query']],
    // Ints, floats and durations compare as numbers.
    ['{ span.x < duration }', ['GET /', 'auth']],
    ['{ span.x = 1.0 }', ['GET /', 'auth']],
    // Two fields: the same rules, per span.
    ['{ span.x = span.y }', ['GET /']],
    ['{ span.x != span.y }', []],
    ['{ span.x = span.nope }', []],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('reads booleans bare and negated', () => {
    expect(matches('{ span.cached }')).toEqual(['db query']);
    expect(matches('{ span.cached = true }')).toEqual(['db query']);
    expect(matches('{ span.cached != false }')).toEqual(['db query']);
    expect(matches('{ !span.cached }')).toEqual([]);
    expect(matches('{ !span.retry }')).toEqual(['GET /']);
    expect(matches('{ span.retry = false }')).toEqual(['GET /']);
    expect(matches('{ (span.x = 1) = true }')).toEqual(['GET /', 'auth']);
  });

  it('evaluates long runs of one operator', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `span:id = "${(i + 0x1000).toString(16)}"`);
    expect(matches(`{ ${[...ids, 'span:id = "d3"'].join(' || ')} }`)).toEqual(['db query']);
    expect(matches(`{ ${ids.map((c) => c.replace('=', '!=')).join(' && ')} }`)).toEqual(ALL);
  });

  it('folds constant filters', () => {
    expect(matches('{ }')).toEqual(ALL);
    expect(matches('{ false }')).toEqual([]);
    expect(matches('{ 1 = 1 }')).toEqual(ALL);
    expect(matches('{ 1 > 2 }')).toEqual([]);
    expect(matches('{ "a" =~ "a|b" }')).toEqual(ALL);
    expect(matches('{ nil = nil }')).toEqual([]);
    expect(matches('{ true && name = "auth" }')).toEqual(['auth']);
    expect(matches('{ false || name = "auth" }')).toEqual(['auth']);
  });
});

describe('evaluate: scopes', () => {
  it('resolves .attr on the span first, then its resource', () => {
    expect(matches('{ .region = "us" }')).toEqual(['auth']);
    expect(matches('{ .region = "eu" }')).toEqual(['GET /']); // auth's own region shadows its resource's
    expect(matches('{ resource.region = "eu" }')).toEqual(['GET /', 'auth']);
    expect(matches('{ span.region = "eu" }')).toEqual([]);
    expect(matches('{ .deployment.environment = "prod" }')).toEqual(['GET /']);
    expect(matches('{ .service.name = "queue" }')).toEqual(['publish']);
    expect(matches('{ resource.service.name = "db" }')).toEqual(['db query']);
  });

  it('matches events: a condition holds if one event satisfies it', () => {
    expect(matches('{ event:name = "exception" }')).toEqual(['db query']);
    expect(matches('{ event:name = "retry" }')).toEqual(['db query']);
    expect(matches('{ event:name != "exception" }')).toEqual(['db query']);
    expect(matches('{ event:name = "nope" }')).toEqual([]);
    expect(matches('{ event.exception.type = "Timeout" }')).toEqual(['db query']);
    expect(matches('{ event.exception.type != nil }')).toEqual(['db query']);
    expect(matches('{ event.exception.type = nil }')).toEqual(['GET /', 'auth', 'publish']);
    expect(matches('{ event:timeSinceStart = 5ms }')).toEqual(['db query']);
    expect(matches('{ event:timeSinceStart > 10ms }')).toEqual(['db query']);
    expect(matches('{ event:timeSinceStart > 30ms }')).toEqual([]);
  });

  it('matches links', () => {
    expect(matches('{ link:traceID = "ff" }')).toEqual(['publish']);
    expect(matches('{ link:traceID = "FF" }')).toEqual(['publish']);
    expect(matches('{ link:spanID = "0099" }')).toEqual(['publish']);
    expect(matches('{ link.link.kind = "follows" }')).toEqual(['publish']);
    expect(matches('{ link.foo = nil }')).toEqual(ALL);
  });
});

describe('evaluate: intrinsics', () => {
  it.each<[string, string[]]>([
    ['{ status = error }', ['db query']],
    ['{ span:status = ok }', ['GET /']],
    ['{ status = unset }', ['auth', 'publish']],
    ['{ status != error }', ['GET /', 'auth', 'publish']],
    ['{ statusMessage = "timeout" }', ['db query']],
    ['{ span:statusMessage = "" }', ['GET /', 'auth', 'publish']],
    ['{ kind = server }', ['GET /']],
    ['{ kind = client }', ['auth', 'db query']],
    ['{ span:kind = producer }', ['publish']],
    ['{ kind = internal }', []],
    ['{ kind != client }', ['GET /', 'publish']],
    ['{ duration > 20ms }', ['GET /', 'db query']],
    ['{ duration > 0.05s }', ['GET /']],
    ['{ span:duration <= 10ms }', ['auth', 'publish']],
    ['{ duration = 2000us }', ['publish']],
    ['{ span:name = "auth" }', ['auth']],
    ['{ span:id = "d3" }', ['db query']],
    ['{ span:id = "D3" }', ['db query']],
    ['{ span:id = "00000000000000d3" }', ['db query']],
    ['{ span:id != "d3" }', ['GET /', 'auth', 'publish']],
    ['{ span:parentID = "1" }', ['auth', 'db query', 'publish']],
    ['{ span:parentID = "" }', ['GET /']],
    ['{ span:childCount = 3 }', ['GET /']],
    ['{ span:childCount = 0 }', ['auth', 'db query', 'publish']],
    ['{ trace:id = "ABC" }', ALL],
    ['{ trace:id = "000abc" }', ALL],
    ['{ trace:id = "abd" }', []],
    ['{ trace:id = "not hex" }', []],
    ['{ rootName = "GET /" }', ALL],
    ['{ trace:rootName = "auth" }', []],
    ['{ rootServiceName = "frontend" }', ALL],
    ['{ trace:rootService = "db" }', []],
    ['{ traceDuration = 100ms }', ALL],
    ['{ trace:duration > 100ms }', []],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('treats the root of a trace whose root has not arrived as nil', () => {
    const headless = buildTrace([{ id: '2', parent: '1', name: 'child', service: 'a' }]);
    expect(matchedNames('{ rootName = "child" }', headless)).toEqual([]);
    expect(matchedNames('{ rootName != "x" }', headless)).toEqual([]);
    expect(matchedNames('{ rootServiceName != nil }', headless)).toEqual([]);
    expect(matchedNames('{ traceDuration > 0 }', headless)).toEqual(['child']);
  });
});

describe('evaluate: logical operators', () => {
  it.each<[string, string[]]>([
    ['{ kind = client && status = error }', ['db query']],
    ['{ kind = server || status = error }', ['GET /', 'db query']],
    ['{ (kind = client || kind = server) && duration > 20ms }', ['GET /', 'db query']],
    // One precedence, left to right: (client || server) && > 20ms, not client || (server && > 20ms).
    ['{ kind = client || kind = server && duration > 20ms }', ['GET /', 'db query']],
    ['{ !(kind = client) }', ['GET /', 'publish']],
    ['{ !(kind = client || status = ok) }', ['publish']],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });
});

describe('evaluate: spanset operators', () => {
  it.each<[string, string[]]>([
    ['{ kind = client } && { kind = producer }', ['auth', 'db query', 'publish']],
    ['{ kind = client } && { kind = consumer }', []],
    ['{ kind = consumer } && { kind = client }', []],
    ['{ kind = client } || { kind = consumer }', ['auth', 'db query']],
    ['{ status = error } || { kind = server }', ['GET /', 'db query']],
    ['{ kind = consumer } || { kind = internal }', []],
    ['{ kind = client } && { status = error }', ['auth', 'db query']],
    ['({ kind = client } || { kind = server }) && { status = error }', ['GET /', 'auth', 'db query']],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('returns one spanset per trace, in trace order', () => {
    const sets = parseTraceQL('{ kind = producer } || { kind = server }').evaluate(shop);
    expect(sets).toHaveLength(1);
    expect(sets[0].spans.map((s) => s.span.name)).toEqual(['GET /', 'publish']);
    expect(sets[0].matched).toBe(2);
  });

  it('matches nothing in a trace without spans', () => {
    expect(parseTraceQL('{}').evaluate(buildTrace([]))).toEqual([]);
    expect(parseTraceQL('count() >= 0').evaluate(buildTrace([]))).toEqual([]);
  });
});

describe('evaluate: result attributes', () => {
  it('gives each span the fields the query names, as Tempo names and writes them', () => {
    const [set] = parseTraceQL(
      '{ status = error && kind = client && span.rows > 1 && resource.service.name != nil }',
    ).evaluate(shop);
    expect(set.spans).toEqual([
      {
        span: shop.spans[2],
        attributes: [
          { key: 'status', value: 'error' },
          { key: 'kind', value: 'client' },
          { key: 'rows', value: 12.5 },
          { key: 'service.name', value: 'db' },
        ],
      },
    ]);
    expect(set.attributes).toEqual([]);
  });

  it('adds select()ed fields, leaves out those the span carries itself, skips missing ones', () => {
    const [set] = parseTraceQL(
      '{ name = "db query" && duration > 1ms } | select(span.db.system, statusMessage, event:name, span.nope, trace:id)',
    ).evaluate(shop);
    expect(set.spans[0].attributes).toEqual([
      { key: 'db.system', value: 'postgresql' },
      { key: 'statusMessage', value: 'timeout' },
      { key: 'event:name', value: 'exception' },
    ]);
  });

  it('writes durations as Go does', () => {
    const [set] = parseTraceQL('{ event:timeSinceStart > 1ms }').evaluate(shop);
    expect(set.spans[0].attributes).toEqual([{ key: 'event:timeSinceStart', value: '5ms' }]);
  });
});
