import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDataDir } from '../testing/test-config';
import { describeEachBackend } from './support/backends';
import { fetchTrace, postTraces, waitFor } from './support/clients';
import { ensureStopped, type LoupeProcess, spawnLoupe, writeChildConfig } from './support/loupe-process';
import { flushAll, removeDir, startTestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, type SpanSpec, simpleSpan } from './support/otlp-request';

/**
 * Durability as a user relies on it: Loupe runs as its own process, takes many concurrent
 * OTLP/HTTP requests, and is killed with SIGKILL; every span it acknowledged is found after a
 * restart. A SIGTERM instead is a clean exit that leaves everything in blocks. Blocks on the
 * local disk, and on S3 (the WAL stays on the local disk, as it does in a deployment on S3).
 */

interface SentRequest {
  body: Buffer;
  spans: { traceId: string; spanId: string; name: string }[];
}

interface Workload {
  requests: SentRequest[];
  /** span ID → name, per trace ID */
  traces: Map<string, Map<string, string>>;
}

/**
 * `traces` traces of `spansPerTrace` spans each, sent in `rounds` rounds: in each round every
 * trace contributes `spansPerTrace / rounds` spans to a request shared with `tracesPerRequest - 1`
 * other traces, so each trace is spread over several requests, sent in any order unless
 * `shuffle` is false (then round by round).
 */
function buildWorkload(
  traces: number,
  spansPerTrace: number,
  rounds: number,
  tracesPerRequest: number,
  { shuffle = true } = {},
): Workload {
  const workload: Workload = { requests: [], traces: new Map() };
  const ids = Array.from({ length: traces }, () => newTraceId());
  const base = Date.now();
  const perRound = spansPerTrace / rounds;
  for (let round = 0; round < rounds; round++) {
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    for (let first = 0; first < shuffled.length; first += tracesPerRequest) {
      const group = shuffled.slice(first, first + tracesPerRequest);
      const byService = new Map<string, SpanSpec[]>();
      const sent: SentRequest['spans'] = [];
      for (const traceId of group) {
        for (let i = 0; i < perRound; i++) {
          const index = round * perRound + i;
          const service = index % 2 === 0 ? 'checkout' : 'inventory';
          const span = simpleSpan(traceId, `op ${index}`, base + index, {
            attributes: {
              'http.route': `/api/items/${index}`,
              'db.statement': `SELECT * FROM items WHERE id = ${index}`,
            },
          });
          const list = byService.get(service) ?? [];
          list.push(span);
          byService.set(service, list);
          sent.push({ traceId: hex(traceId), spanId: hex(span.spanId), name: span.name });
        }
      }
      workload.requests.push({
        body: encodeTraceRequest([...byService].map(([service, spans]) => ({ service, spans }))),
        spans: sent,
      });
    }
  }
  for (const id of ids) workload.traces.set(hex(id), new Map());
  for (const request of workload.requests) {
    for (const s of request.spans) workload.traces.get(s.traceId)!.set(s.spanId, s.name);
  }
  if (shuffle) workload.requests.sort(() => Math.random() - 0.5);
  return workload;
}

/**
 * Sends every request with `concurrency` in flight. After the `killAfter`-th acknowledgement the
 * process gets SIGKILL in the same tick; requests still in flight then fail (or are acknowledged,
 * if the answer was already on its way: those count too).
 */
async function ingest(
  proc: LoupeProcess,
  workload: Workload,
  concurrency: number,
  killAfter?: number,
): Promise<{ acked: SentRequest[]; failed: number }> {
  const acked: SentRequest[] = [];
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < workload.requests.length) {
        const request = workload.requests[next++];
        try {
          const res = await postTraces(proc.otlp, request.body);
          if (res.status === 200 && !res.partialSuccess?.rejectedSpans) {
            acked.push(request);
            if (acked.length === killAfter) proc.child.kill('SIGKILL');
          } else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { acked, failed };
}

/** Every acknowledged span is returned under its trace ID; nothing foreign or corrupt is. */
async function expectAcknowledgedSpans(
  api: string,
  workload: Workload,
  acked: SentRequest[],
): Promise<number> {
  const expected = new Map<string, Set<string>>();
  for (const request of acked) {
    for (const s of request.spans) {
      const set = expected.get(s.traceId) ?? new Set();
      set.add(s.spanId);
      expected.set(s.traceId, set);
    }
  }
  let found = 0;
  const ids = [...expected.keys()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (ids.length > 0) {
        const traceId = ids.pop()!;
        const answer = await fetchTrace(api, traceId, 'v2-json');
        const returned = new Map(answer.spans.map((s) => [s.spanId, s.name]));
        const sent = workload.traces.get(traceId)!;
        for (const spanId of expected.get(traceId)!) {
          expect(returned.get(spanId), `acknowledged span ${spanId} of trace ${traceId}`).toBe(
            sent.get(spanId),
          );
        }
        for (const [spanId, name] of returned) expect(sent.get(spanId), `span ${spanId} was sent`).toBe(name);
        expect(answer.spans.length, `no duplicate spans in ${traceId}`).toBe(returned.size);
        found += expected.get(traceId)!.size;
      }
    }),
  );
  return found;
}

const dirs: string[] = [];
let running: LoupeProcess | undefined;

afterEach(async () => {
  await ensureStopped(running);
  running = undefined;
  for (const dir of dirs.splice(0)) removeDir(dir);
});

describeEachBackend('durability', (backend) => {
  describe('crash safety (a child process killed with SIGKILL)', () => {
    it('finds every acknowledged span after a kill right after the last acknowledgement', async () => {
      const dataDir = tempDataDir('loupe-crash-');
      dirs.push(dataDir);
      const config = backend.writeChildConfig(dataDir);
      const workload = buildWorkload(150, 20, 4, 10); // 3,000 spans in 60 requests of 50 spans
      running = await spawnLoupe(config);

      const { acked, failed } = await ingest(running, workload, 16, workload.requests.length);
      expect(failed).toBe(0);
      expect(acked).toHaveLength(workload.requests.length);
      expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });

      running = await spawnLoupe(config);
      const found = await expectAcknowledgedSpans(running.api, workload, acked);
      expect(found).toBe(3000);
    }, 60_000);

    it('finds every acknowledged span after a kill while requests are still in flight', async () => {
      const dataDir = tempDataDir('loupe-crash-');
      dirs.push(dataDir);
      const config = backend.writeChildConfig(dataDir);
      const workload = buildWorkload(200, 15, 3, 8); // 3,000 spans in 75 requests of 40 spans
      running = await spawnLoupe(config);

      const killAfter = Math.floor(workload.requests.length * 0.6);
      const { acked } = await ingest(running, workload, 16, killAfter);
      expect(acked.length).toBeGreaterThanOrEqual(killAfter);
      expect((await running.exited).signal).toBe('SIGKILL');

      running = await spawnLoupe(config);
      const spans = acked.reduce((n, r) => n + r.spans.length, 0);
      expect(await expectAcknowledgedSpans(running.api, workload, acked)).toBe(spans);

      // The recovered process takes new data and survives a second crash with all of it.
      const more = buildWorkload(20, 5, 1, 5);
      const second = await ingest(running, more, 4, more.requests.length);
      expect(second.acked).toHaveLength(more.requests.length);
      await running.exited;
      running = await spawnLoupe(config);
      await expectAcknowledgedSpans(running.api, workload, acked);
      await expectAcknowledgedSpans(running.api, more, second.acked);
    }, 90_000);
  });

  describe('crash safety across blocks and the WAL', () => {
    it('returns traces whole after SIGKILL when part of each is in a flushed block and part only in the WAL', async () => {
      const dataDir = tempDataDir('loupe-crash-');
      dirs.push(dataDir);
      // Short timings so the first half of each trace reaches a block within about a second.
      const config = backend.writeChildConfig(dataDir, { idle: '300ms', blockDuration: '600ms' });
      // 400 spans in two rounds of 4 requests: each round carries one half of every trace.
      const workload = buildWorkload(40, 10, 2, 10, { shuffle: false });
      const rounds = [workload.requests.slice(0, 4), workload.requests.slice(4)];
      running = await spawnLoupe(config);

      const first = await ingest(running, { ...workload, requests: rounds[0] }, 4);
      expect(first.acked).toHaveLength(4);
      await waitFor(
        async () => (await backend.storedBlocks(dataDir)).reduce((n, b) => n + b.meta.totalSpans, 0) === 200,
        15_000,
        50,
      );

      const second = await ingest(running, { ...workload, requests: rounds[1] }, 4, rounds[1].length);
      expect(second.acked).toHaveLength(4);
      expect((await running.exited).signal).toBe('SIGKILL');

      running = await spawnLoupe(config);
      const acked = [...first.acked, ...second.acked];
      expect(await expectAcknowledgedSpans(running.api, workload, acked)).toBe(400);
      for (const traceId of [...workload.traces.keys()].slice(0, 5)) {
        expect((await fetchTrace(running.api, traceId, 'v1-proto')).spans).toHaveLength(10);
      }
    }, 60_000);
  });

  describe('graceful shutdown (SIGTERM)', () => {
    it('exits cleanly with every live trace flushed to blocks, which a restart serves', async () => {
      const dataDir = tempDataDir('loupe-term-');
      dirs.push(dataDir);
      const config = backend.writeChildConfig(dataDir);
      const workload = buildWorkload(60, 10, 2, 6); // 600 spans in 20 requests
      running = await spawnLoupe(config);
      const { acked } = await ingest(running, workload, 8);
      expect(acked).toHaveLength(workload.requests.length);

      // Straight away: the traces are still live (idle period 1 s), nothing is in a block yet.
      running.child.kill('SIGTERM');
      expect(await running.exited).toEqual({ code: 0, signal: null });

      const blocks = await backend.storedBlocks(dataDir);
      const lastLogs = running.logs.slice(-3).map((l) => l.msg);
      expect(
        blocks.length,
        `blocks stored after SIGTERM; last log lines: ${JSON.stringify(lastLogs)}`,
      ).toBeGreaterThan(0);
      expect(new Set(blocks.map((b) => b.tenantDir))).toEqual(new Set(['single-tenant']));
      expect(blocks.reduce((n, b) => n + b.meta.totalSpans, 0)).toBe(600);
      const tracesInBlocks = blocks.reduce((n, b) => n + b.meta.totalTraces, 0);
      expect(tracesInBlocks).toBeGreaterThanOrEqual(60);

      running = await spawnLoupe(config);
      expect(await expectAcknowledgedSpans(running.api, workload, acked)).toBe(600);
      const one = await fetchTrace(running.api, [...workload.traces.keys()][0], 'v2-proto');
      expect(one.spans).toHaveLength(10);

      // A second clean stop stores nothing twice: what was already in blocks is not flushed again.
      running.child.kill('SIGTERM');
      expect(await running.exited).toEqual({ code: 0, signal: null });
      expect((await backend.storedBlocks(dataDir)).reduce((n, b) => n + b.meta.totalSpans, 0)).toBe(600);
    }, 60_000);
  });
});

// Local disk only: the damage it plants (a block folder without meta.json, a truncated meta.json)
// is what a killed process leaves in a folder on disk.
describe('what a crash can leave in the blocks folder', () => {
  it('starts past a half-written block and a corrupt meta.json, serves the rest, and warns about the corrupt one', async () => {
    const dataDir = tempDataDir('loupe-crash-');
    dirs.push(dataDir);
    const writer = await startTestLoupe({}, dataDir);
    const traceId = newTraceId();
    const now = Date.now();
    const spans = [simpleSpan(traceId, 'kept 1', now), simpleSpan(traceId, 'kept 2', now + 1)];
    expect((await postTraces(writer.otlp, encodeTraceRequest([{ service: 'survivor', spans }]))).status).toBe(
      200,
    );
    await flushAll(writer);
    await writer.loupe.stop();

    const tenantDir = join(dataDir, 'blocks', 'single-tenant');
    // A block whose writer died before meta.json (written last) reached the disk.
    const halfWritten = join(tenantDir, randomUUID());
    mkdirSync(halfWritten);
    writeFileSync(join(halfWritten, 'data'), randomBytes(4096));
    // A block whose meta.json is damaged.
    const corruptId = randomUUID();
    mkdirSync(join(tenantDir, corruptId));
    writeFileSync(join(tenantDir, corruptId, 'meta.json'), '{"format": "loupe-v1", "blockId": ');

    running = await spawnLoupe(writeChildConfig(dataDir));
    const answer = await fetchTrace(running.api, hex(traceId), 'v2-proto');
    expect(answer.spans.map((s) => s.spanId).sort()).toEqual(spans.map((s) => hex(s.spanId)).sort());
    const warnings = running.logs.filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l));
    expect(
      warnings.some((w) => w.includes(corruptId)),
      `a warning naming block ${corruptId}`,
    ).toBe(true);
    expect(
      warnings.some((w) => w.includes(basename(halfWritten))),
      'the half-written block is skipped quietly',
    ).toBe(false);
  }, 60_000);
});
