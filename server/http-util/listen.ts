import type { FastifyInstance } from 'fastify';

/** Listens and resolves with the bound port (useful with port 0 in tests). */
export async function listenApp(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
