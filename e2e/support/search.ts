import { expect } from '@playwright/test';
import { LOUPE_URL } from './loupe';

/**
 * Waits until `GET /api/search` finds `traceId` for `query` over the last hour: a trace is
 * searchable a moment after it is readable by ID (its spans are indexed as they settle).
 */
export async function waitForSearchHit(query: string, traceId: string, timeoutMs = 30_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const nowSec = Math.ceil(Date.now() / 1000);
        const params = new URLSearchParams({
          q: query,
          limit: '100',
          start: String(nowSec - 3600),
          end: String(nowSec + 60),
        });
        const response = await fetch(`${LOUPE_URL}/api/search?${params}`);
        if (!response.ok) return `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
        const body = (await response.json()) as { traces?: { traceID: string }[] };
        return (body.traces ?? []).some((t) => t.traceID === traceId) ? 'found' : 'not yet';
      },
      { timeout: timeoutMs, intervals: [200, 500, 1000], message: `search for ${query} finds ${traceId}` },
    )
    .toBe('found');
}
