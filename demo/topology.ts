/**
 * The demo's services, shared by the launcher (which starts them) and the services (which find
 * each other through it). Every service learns every other one's base URL from an environment
 * variable the launcher sets, the way a container platform would hand out addresses.
 *
 * ```
 * load ─▶ frontend ─┬─▶ inventory (SQLite)
 *                   ├─▶ orders ─┬─▶ inventory (reserve, release)
 *                   │           ├─▶ payments ─▶ payment-gateway (slow now and then, 503s → retries)
 *                   │           └─▶ queue "order.placed" ─▶ shipping (consumer)
 *                   └─▶ shipping (GET /quote, six carriers in parallel)
 * ```
 */

export const SERVICES = [
  { name: 'frontend', version: '2.4.1' },
  { name: 'orders', version: '1.9.0' },
  { name: 'payments', version: '3.2.0' },
  { name: 'payment-gateway', version: '2024.11.2' },
  { name: 'inventory', version: '1.6.3' },
  { name: 'shipping', version: '0.8.2' },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** The queue stand-in is not a service of its own: the launcher runs it (see launcher/queue-broker.ts). */
export type Endpoint = ServiceName | 'queue';

/** The environment variable carrying an endpoint's base URL, e.g. `LOUPE_DEMO_PAYMENT_GATEWAY_URL`. */
export function urlVariable(endpoint: Endpoint): string {
  return `LOUPE_DEMO_${endpoint.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** An endpoint's base URL (`http://127.0.0.1:8083`), from the environment the launcher gave this process. */
export function endpointUrl(endpoint: Endpoint): string {
  const url = process.env[urlVariable(endpoint)];
  if (!url) throw new Error(`${urlVariable(endpoint)} is not set: start the demo with npm run demo`);
  return url;
}
