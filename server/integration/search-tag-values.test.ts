import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends';
import { postTraces } from './support/clients';
import { flushAll, removeDir, type TestLoupe } from './support/loupe-server';

/**
 * Autocompletion answers (tag names, tag values of every scope and intrinsic) must not change
 * when traces move from live to blocks, including for keys with more distinct values than a
 * block's summary keeps and for keys whose values mix types. Blocks on the local disk, and on S3.
 */

const TRACES = 700;
let server: TestLoupe;

const str = (stringValue: string) => ({ stringValue });
const int = (n: number) => ({ intValue: String(n) });
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const hexId = (i: number, width: number) => i.toString(16).padStart(width, '0');

/** Trace i: one root span of service `svc-(i % 5)`, with every scope's attributes, an event and a link. */
function span(i: number, startNs: bigint) {
  return {
    traceId: hexId(i + 1, 32),
    spanId: hexId(i + 1, 16),
    name: `op-${i}`,
    kind: 2,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + 1_000_000n),
    attributes: [
      kv('user.id', str(`u-${i}`)),
      kv('mixed', i % 2 ? str(`m-${i}`) : int(i)),
      kv('http.status_code', int(200 + (i % 3))),
    ],
    events: [
      {
        timeUnixNano: String(startNs + 10n),
        name: `ev-${i % 3}`,
        attributes: [kv('ev.attr', str(`e-${i % 4}`))],
      },
    ],
    links: [
      { traceId: hexId(9999, 32), spanId: hexId(9999, 16), attributes: [kv('link.kind', str(`l-${i % 2}`))] },
    ],
    status: i % 4 === 0 ? { code: 2, message: `failed ${i % 8}` } : {},
  };
}

function request(from: number, to: number): string {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const bySvc = new Map<number, ReturnType<typeof span>[]>();
  for (let i = from; i < to; i++) {
    const list = bySvc.get(i % 5) ?? [];
    list.push(span(i, start + BigInt(i) * 1_000_000n));
    bySvc.set(i % 5, list);
  }
  return JSON.stringify({
    resourceSpans: [...bySvc].map(([svc, spans]) => ({
      resource: { attributes: [kv('service.name', str(`svc-${svc}`)), kv('host.id', int(svc))] },
      scopeSpans: [{ scope: { name: 'tag-values' }, spans }],
    })),
  });
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.api}${path}`);
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

const TAGS = [
  'name',
  'rootName',
  'rootServiceName',
  'statusMessage',
  'event:name',
  'status',
  'kind',
  'span.user.id',
  '.user.id',
  'span.mixed',
  'span.http.status_code',
  'resource.service.name',
  'resource.host.id',
  'event.ev.attr',
  'link.link.kind',
];
const QUERIES = [
  '',
  '{ resource.service.name = "svc-3" }',
  '{ span.http.status_code = 201 && status = error }',
];

async function answers() {
  const out: Record<string, string[]> = {};
  for (const q of QUERIES) {
    for (const tag of TAGS) {
      const query = q ? `?q=${encodeURIComponent(q)}` : '';
      const body = await getJson<{ tagValues: { type: string; value: string }[] }>(
        `/api/v2/search/tag/${encodeURIComponent(tag)}/values${query}`,
      );
      out[`${tag} ${q}`] = body.tagValues.map((v) => `${v.type}:${v.value}`).sort();
    }
    const names = await getJson<{ scopes: { name: string; tags: string[] }[] }>(
      `/api/v2/search/tags${q ? `?q=${encodeURIComponent(q)}` : ''}`,
    );
    for (const scope of names.scopes) out[`tags of ${scope.name} ${q}`] = [...scope.tags].sort();
  }
  return out;
}

describeEachBackend('autocompletion', (backend) => {
  beforeAll(async () => {
    server = await backend.start({ ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } });
    for (let from = 0; from < TRACES; from += 100) {
      expect((await postTraces(server.otlp, request(from, from + 100))).status).toBe(200);
    }
  });

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  describe('tag names and values', () => {
    let live: Record<string, string[]>;

    it('list every value live, past the summary cap too', async () => {
      live = await answers();
      expect(live['name ']).toHaveLength(TRACES);
      expect(live['rootName ']).toHaveLength(TRACES);
      expect(live['span.user.id ']).toHaveLength(TRACES);
      expect(live['span.mixed ']).toHaveLength(TRACES);
      expect(live['span.mixed ']).toEqual(expect.arrayContaining(['int:0', 'string:m-1']));
      expect(live['statusMessage ']).toEqual(['string:failed 0', 'string:failed 4']);
      expect(live['event:name ']).toEqual(['string:ev-0', 'string:ev-1', 'string:ev-2']);
      expect(live['link.link.kind ']).toEqual(['string:l-0', 'string:l-1']);
      expect(live['resource.host.id ']).toEqual(['int:0', 'int:1', 'int:2', 'int:3', 'int:4']);
      expect(live['resource.service.name { resource.service.name = "svc-3" }']).toEqual(['string:svc-3']);
      expect(live['name { resource.service.name = "svc-3" }']).toHaveLength(TRACES / 5);
    });

    it('answer the same from blocks', async () => {
      await flushAll(server);
      const flushed = await answers();
      for (const key of Object.keys(live)) expect.soft(flushed[key], key).toEqual(live[key]);
    });

    it("show a live trace's new spans at once, though the last question decoded the trace", async () => {
      const traceId = hexId(50_000, 32);
      const late = (n: number) => {
        const base = span(50_000 + n, BigInt(Date.now() - 30_000) * 1_000_000n);
        return JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [kv('service.name', str('svc-late'))] },
              scopeSpans: [
                {
                  scope: { name: 'tag-values' },
                  spans: [{ ...base, traceId, attributes: [kv('late.key', str(`late-${n}`))] }],
                },
              ],
            },
          ],
        });
      };
      const values = async () =>
        (
          await getJson<{ tagValues: { value: string }[] }>('/api/v2/search/tag/span.late.key/values')
        ).tagValues
          .map((v) => v.value)
          .sort();
      expect((await postTraces(server.otlp, late(1))).status).toBe(200);
      expect(await values()).toEqual(['late-1']);
      expect((await postTraces(server.otlp, late(2))).status).toBe(200);
      expect(await values()).toEqual(['late-1', 'late-2']);
    });
  });
});
