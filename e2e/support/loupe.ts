import { expect } from '@playwright/test';
import type { OtlpTraces } from '../../fixtures/ui/otlp-json';
import { loupePorts } from './ports';

const ports = loupePorts();
export const LOUPE_URL = `http://127.0.0.1:${ports.http}`;
export const OTLP_HTTP_URL = `http://127.0.0.1:${ports.otlpHttp}`;

/** Sends spans through the OTLP/HTTP receiver as JSON, as an SDK exporter would. */
export async function ingest(traces: OtlpTraces): Promise<void> {
  const response = await fetch(`${OTLP_HTTP_URL}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(traces),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Waits until the query API returns the trace with at least `spanCount` spans. */
export async function waitForTrace(traceId: string, spanCount: number, timeoutMs = 30_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const response = await fetch(`${LOUPE_URL}/api/v2/traces/${traceId}`);
        if (!response.ok) return -1;
        const body = (await response.json()) as {
          trace?: { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
        };
        let count = 0;
        for (const rs of body.trace?.resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) count += ss.spans?.length ?? 0;
        }
        return count;
      },
      { timeout: timeoutMs, intervals: [200, 500, 1000] },
    )
    .toBeGreaterThanOrEqual(spanCount);
}
