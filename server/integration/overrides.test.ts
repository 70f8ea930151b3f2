import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../testing/test-config';
import { fetchTrace, postTraces } from './support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * Tempo's per-tenant overrides file: one tenant gets a smaller `max_bytes_per_trace` than the
 * default, on ingest (spans past it refused in partial_success) and on read (PARTIAL, naming the
 * tenant's own limit); another tenant keeps the default.
 */
describe('per-tenant overrides (per_tenant_override_config)', () => {
  let server: TestLoupe;
  const dataDir = tempDataDir('loupe-overrides-');

  beforeAll(async () => {
    const file = join(dataDir, 'overrides.yaml');
    writeFileSync(file, 'overrides:\n  "small-team":\n    global:\n      max_bytes_per_trace: 3000\n');
    server = await startTestLoupe({ multitenancyEnabled: true, overrides: { perTenantFile: file } }, dataDir);
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(dataDir);
  });

  /** Pushes one trace in four requests of ~1.3 KB each; returns the span IDs that were accepted. */
  async function pushTrace(tenant: string, traceId: Uint8Array): Promise<string[]> {
    const accepted: string[] = [];
    for (let request = 0; request < 4; request++) {
      const spans = [
        simpleSpan(traceId, `part ${request}`, Date.now() - 1000 + request, {
          attributes: { payload: 'p'.repeat(1200) },
        }),
      ];
      const res = await postTraces(server.otlp, encodeTraceRequest([{ service: 'svc', spans }]), { tenant });
      expect(res.status).toBe(200);
      if ((res.partialSuccess?.rejectedSpans ?? 0) === 0) accepted.push(hex(spans[0].spanId));
      else expect(res.partialSuccess?.errorMessage).toMatch(/max_bytes_per_trace/);
    }
    return accepted;
  }

  it("refuses spans past the tenant's own limit and says PARTIAL with that limit", async () => {
    const traceId = newTraceId();
    const accepted = await pushTrace('small-team', traceId);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThan(4);
    const answer = await fetchTrace(server.api, hex(traceId), 'v2-json', { tenant: 'small-team' });
    expect(answer.spans).toHaveLength(accepted.length);
    expect(answer.status).toBe('PARTIAL');
    expect(answer.message).toContain('(3000 bytes)');
  });

  it('leaves other tenants on the default limit', async () => {
    const traceId = newTraceId();
    expect(await pushTrace('big-team', traceId)).toHaveLength(4);
    const answer = await fetchTrace(server.api, hex(traceId), 'v2-json', { tenant: 'big-team' });
    expect(answer.spans).toHaveLength(4);
    expect(answer.status).toBeUndefined();
  });
});
