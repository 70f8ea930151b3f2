import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrace, grpcExport, postTraces, TRACE_FORMS } from './support/clients';
import { blocksOnDisk, flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';
import { spanIdsOf } from './support/tempo-json';

/**
 * Tenants as Tempo has them: with multi-tenancy on, `X-Scope-OrgID` is required on every push
 * and query and must follow dskit's rules; tenants never see each other's data, and each one's
 * blocks live in its own folder. With multi-tenancy off, everything is `single-tenant`.
 */

const ODD_TENANT = "a'b(c)*!-_.x";
const INVALID_TENANTS: [string, string][] = [
  ['..', '..'],
  ['.', '.'],
  ['a slash', 'a/b'],
  ['a parent path', '../x'],
  ['151 characters', 't'.repeat(151)],
  ['a space', 'team a'],
];

function oneSpanRequest(traceId: Uint8Array, name = 'op') {
  const span = simpleSpan(traceId, name, Date.now());
  return { span, body: encodeTraceRequest([{ service: 'tenant-test', spans: [span] }]) };
}

describe('multi-tenancy on', () => {
  let server: TestLoupe;
  beforeAll(async () => {
    server = await startTestLoupe({ multitenancyEnabled: true });
  });
  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  it('refuses a push without X-Scope-OrgID: 401 over HTTP, UNAUTHENTICATED over gRPC', async () => {
    const { body } = oneSpanRequest(newTraceId());
    const http = await postTraces(server.otlp, body);
    expect(http.status).toBe(401);
    expect(http.error?.message).toBeTruthy();
    const rpc = await grpcExport(server.grpc, body);
    expect(rpc.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses a query without X-Scope-OrgID: 401', async () => {
    for (const path of ['/api/traces/', '/api/v2/traces/']) {
      const res = await fetch(`${server.api}${path}${hex(newTraceId())}`);
      await res.arrayBuffer();
      expect(res.status, path).toBe(401);
    }
  });

  it.each(INVALID_TENANTS)(
    'refuses tenant ID with %s: 400 over HTTP, INVALID_ARGUMENT over gRPC, 400 on queries',
    async (_, tenant) => {
      const { body } = oneSpanRequest(newTraceId());
      const http = await postTraces(server.otlp, body, { tenant });
      expect(http.status).toBe(400);
      expect(http.error?.message).toBeTruthy();
      const rpc = await grpcExport(server.grpc, body, { tenant });
      expect(rpc.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(rpc.details).toBeTruthy();
      const query = await fetch(`${server.api}/api/v2/traces/${hex(newTraceId())}`, {
        headers: { 'x-scope-orgid': tenant },
      });
      expect(query.status).toBe(400);
      expect((await query.text()).length).toBeGreaterThan(0);
    },
  );

  it('accepts a 150-character tenant ID', async () => {
    const tenant = 'T'.repeat(150);
    const traceId = newTraceId();
    const { span, body } = oneSpanRequest(traceId);
    expect((await postTraces(server.otlp, body, { tenant })).status).toBe(200);
    const answer = await fetchTrace(server.api, hex(traceId), 'v2-json', { tenant });
    expect(spanIdsOf(answer.spans)).toEqual([hex(span.spanId)]);
  });

  it('keeps tenants apart: the same trace ID holds different spans per tenant, live, in blocks and after restart', async () => {
    const traceId = newTraceId();
    const plain = oneSpanRequest(traceId, 'tenant-a work');
    const odd = oneSpanRequest(traceId, 'odd tenant work');
    expect((await postTraces(server.otlp, plain.body, { tenant: 'tenant-a' })).status).toBe(200);
    const rpc = await grpcExport(server.grpc, odd.body, { tenant: ODD_TENANT });
    expect(rpc.code).toBe(grpc.status.OK);
    const onlyInB = newTraceId();
    expect((await postTraces(server.otlp, oneSpanRequest(onlyInB).body, { tenant: ODD_TENANT })).status).toBe(
      200,
    );

    const check = async (stage: string) => {
      for (const form of TRACE_FORMS) {
        const a = await fetchTrace(server.api, hex(traceId), form, { tenant: 'tenant-a' });
        expect(spanIdsOf(a.spans), `${stage} ${form} tenant-a`).toEqual([hex(plain.span.spanId)]);
        const b = await fetchTrace(server.api, hex(traceId), form, { tenant: ODD_TENANT });
        expect(spanIdsOf(b.spans), `${stage} ${form} odd tenant`).toEqual([hex(odd.span.spanId)]);
        const c = await fetchTrace(server.api, hex(traceId), form, { tenant: 'tenant-c' });
        expect(c.spans, `${stage} ${form} unrelated tenant`).toEqual([]);
      }
      expect((await fetchTrace(server.api, hex(onlyInB), 'v1-json', { tenant: 'tenant-a' })).httpStatus).toBe(
        404,
      );
      expect((await fetchTrace(server.api, hex(onlyInB), 'v1-json', { tenant: ODD_TENANT })).httpStatus).toBe(
        200,
      );
    };
    await check('live');

    await flushAll(server);
    const blocksRoot = server.config.storage.localPath;
    const blocks = blocksOnDisk(blocksRoot);
    for (const tenant of ['tenant-a', ODD_TENANT]) {
      const own = blocks.filter((b) => b.tenantDir === tenant);
      expect(own.length, `blocks of ${tenant}`).toBeGreaterThan(0);
      for (const block of own) expect(block.meta.tenantId).toBe(tenant);
    }
    for (const block of blocks) expect(block.meta.tenantId).toBe(block.tenantDir);
    expect(existsSync(join(blocksRoot, 'single-tenant'))).toBe(false);
    await check('from blocks');

    await server.loupe.stop();
    server = await startTestLoupe({ multitenancyEnabled: true }, server.dataDir);
    await check('after restart');
  });
});

describe('multi-tenancy off', () => {
  let server: TestLoupe;
  beforeAll(async () => {
    server = await startTestLoupe({ multitenancyEnabled: false });
  });
  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  it('stores everything as single-tenant, with or without an X-Scope-OrgID header', async () => {
    const without = oneSpanRequest(newTraceId());
    const withHeader = oneSpanRequest(newTraceId());
    const overGrpc = oneSpanRequest(newTraceId());
    expect((await postTraces(server.otlp, without.body)).status).toBe(200);
    expect((await postTraces(server.otlp, withHeader.body, { tenant: 'someone' })).status).toBe(200);
    expect((await grpcExport(server.grpc, overGrpc.body, { tenant: 'someone-else' })).code).toBe(
      grpc.status.OK,
    );

    for (const sent of [without, withHeader, overGrpc]) {
      const id = hex(sent.span.traceId!);
      for (const tenant of [undefined, 'whoever']) {
        const answer = await fetchTrace(server.api, id, 'v2-json', { tenant });
        expect(spanIdsOf(answer.spans)).toEqual([hex(sent.span.spanId)]);
      }
    }

    await flushAll(server);
    const blocks = blocksOnDisk(server.config.storage.localPath);
    expect(blocks.length).toBeGreaterThan(0);
    expect(new Set(blocks.map((b) => b.tenantDir))).toEqual(new Set(['single-tenant']));
    expect(blocks.reduce((n, b) => n + b.meta.totalSpans, 0)).toBe(3);
  });
});
