import { afterEach, describe, expect, it } from 'vitest';
import { tempDataDir } from '../testing/test-config';
import { fetchTrace, metricValue, postTraces, scrapeMetrics, waitFor } from './support/clients';
import { ensureStopped, type LoupeProcess, spawnLoupe, writeChildConfig } from './support/loupe-process';
import { removeDir } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, type SpanSpec, simpleSpan } from './support/otlp-request';

/**
 * Tail sampling across a SIGKILL: a kept trace whose block was not written yet comes back from
 * the WAL (kept, not decided again), a dropped trace does not come back in whole or in part,
 * and a trace still waiting at the kill is decided after the restart.
 */

const SAMPLING = `sampling:
  decision_wait: 300ms
  max_wait: 5s
  policies:
    - name: errors
      type: status_code
      status_code: { status_codes: [ERROR] }
    - name: one in a million
      type: probabilistic
      probabilistic: { sampling_percentage: 0.0001 }
`;

let running: LoupeProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await ensureStopped(running);
  running = undefined;
  if (dataDir) removeDir(dataDir);
  dataDir = undefined;
});

function trace(id: Uint8Array, start: number, error: boolean): SpanSpec[] {
  const root = simpleSpan(id, 'GET /orders', start, { durationMs: 30 });
  const child = simpleSpan(id, 'SELECT orders', start + 1, {
    parentSpanId: root.spanId,
    statusCode: error ? 2 : 0,
  });
  return [root, child];
}

async function decided(api: string): Promise<number> {
  const metrics = await scrapeMetrics(api);
  const sum = (decision: string, policy: string) =>
    metricValue(metrics, 'loupe_sampling_traces_total', { tenant: 'single-tenant', policy, decision });
  return sum('kept', 'errors') + sum('dropped', '');
}

describe('tail sampling across a restart (SIGKILL)', () => {
  it('keeps kept traces, never brings back dropped ones, and decides waiting ones after the restart', async () => {
    dataDir = tempDataDir('loupe-sampling-kill-');
    // Blocks are not cut for 10 minutes: at the kill, the kept trace is only in the WAL.
    const config = writeChildConfig(dataDir, { idle: '1s', blockDuration: '10m' }, SAMPLING);
    running = await spawnLoupe(config);
    const t0 = Date.now() - 10_000;
    const kept = newTraceId();
    const dropped = newTraceId();
    const body = encodeTraceRequest([
      { service: 'orders', spans: [...trace(kept, t0, true), ...trace(dropped, t0, false)] },
    ]);
    expect((await postTraces(running.otlp, body)).status).toBe(200);
    await waitFor(async () => (await decided(running!.api)) === 2, 10_000);
    expect((await fetch(`${running.api}/api/v2/traces/${hex(dropped)}`)).status).toBe(404);

    // Waiting at the kill: an error trace and a plain one, their roots just arrived.
    const waitingKept = newTraceId();
    const waitingDropped = newTraceId();
    const later = encodeTraceRequest([
      { service: 'orders', spans: [...trace(waitingKept, t0, true), ...trace(waitingDropped, t0, false)] },
    ]);
    expect((await postTraces(running.otlp, later)).status).toBe(200);
    running.child.kill('SIGKILL');
    await running.exited;

    running = await spawnLoupe(config);
    expect((await fetchTrace(running.api, hex(kept), 'v2-json')).spans).toHaveLength(2);
    const answer = await fetch(`${running.api}/api/v2/traces/${hex(dropped)}`);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-loupe-not-kept')).toBe('sampling');
    // The waiting traces are decided again, from their spans in the WAL.
    await waitFor(async () => (await decided(running!.api)) === 2, 10_000);
    expect((await fetchTrace(running.api, hex(waitingKept), 'v2-json')).spans).toHaveLength(2);
    expect((await fetch(`${running.api}/api/v2/traces/${hex(waitingDropped)}`)).status).toBe(404);

    // A clean stop writes the kept traces to blocks; after it, still nothing of the dropped ones.
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    running = await spawnLoupe(config);
    for (const id of [kept, waitingKept])
      expect((await fetchTrace(running.api, hex(id), 'v2-json')).spans).toHaveLength(2);
    for (const id of [dropped, waitingDropped]) {
      expect((await fetchTrace(running.api, hex(id), 'v2-json')).spans).toHaveLength(0);
    }
  });
});
