import type { FastifyInstance } from 'fastify';
import type { InProcessUnflushed, UnflushedTrace } from '../../query/unflushed-source';
import { encodeUnflushedTraces, type UnflushedRefsAnswer } from '../../query/unflushed-wire';

export interface InternalUnflushedOptions {
  /** This process's random ID (a restarted ingester is a new instance). */
  instance: string;
  /** This process's ingester. */
  ingester: InProcessUnflushed;
  /** IDs of the blocks this ingester flushed lately (`ingester.complete_block_timeout`). */
  recentBlocks(tenantId: string): string[];
}

/** A querier asks for at most this many traces at once (search asks in batches of 256). */
export const MAX_KEYS_PER_REQUEST = 10_000;
const TRACE_KEY = /^[0-9a-f]{32}$/;

/**
 * What a querier running apart reads of an ingester (`query/unflushed-wire.ts`): the traces it
 * holds unflushed, and their spans. Each answer is one synchronous snapshot, taken with the list
 * of blocks flushed lately, so nothing moves between the two.
 */
export async function internalUnflushedRoutes(
  app: FastifyInstance,
  opts: InternalUnflushedOptions,
): Promise<void> {
  app.get('/internal/v1/unflushed/refs', async (request, reply) => {
    const { tenantId } = request;
    const answer: UnflushedRefsAnswer = {
      instance: opts.instance,
      refs: opts.ingester.listUnflushed(tenantId),
      blocks: opts.recentBlocks(tenantId),
    };
    return reply.type('application/json').send(answer);
  });

  app.post<{ Body: { keys?: unknown } }>('/internal/v1/unflushed/traces', async (request, reply) => {
    const keys = request.body?.keys;
    if (
      !Array.isArray(keys) ||
      keys.length > MAX_KEYS_PER_REQUEST ||
      !keys.every((k) => typeof k === 'string' && TRACE_KEY.test(k))
    ) {
      return reply
        .code(400)
        .send(`body must be {"keys": [...]} with at most ${MAX_KEYS_PER_REQUEST} lowercase hex trace IDs`);
    }
    const { tenantId } = request;
    const traces = new Map<string, UnflushedTrace>();
    for (const key of keys as string[]) {
      const found = opts.ingester.findUnflushed(tenantId, key);
      if (found) traces.set(key, found);
    }
    const blocks = opts.recentBlocks(tenantId);
    return reply
      .type('application/octet-stream')
      .send(encodeUnflushedTraces({ instance: opts.instance, traces, blocks }));
  });
}
