import type { FastifyInstance } from 'fastify';
import { applyHttpServerLimits, type DropReason, type HttpServerLimits } from './listener-limits';

/**
 * Listens and resolves with the bound port (useful with port 0 in tests). With `guard`, the
 * server's timeouts and connection cap are set first (Node reads some of them at listen time).
 */
export async function listenApp(
  app: FastifyInstance,
  host: string,
  port: number,
  guard?: { limits: HttpServerLimits; onDrop: (reason: DropReason) => void },
): Promise<number> {
  if (guard) applyHttpServerLimits(app.server, guard.limits, guard.onDrop);
  await app.listen({ host, port });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
