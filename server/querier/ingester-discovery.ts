import { lookup, resolveSrv } from 'node:dns/promises';

/**
 * Where a querier finds the ingesters, from `querier.ingester_addresses`, read as Tempo's dskit
 * reads addresses: `host:port` as it is; `dns+host:port`, every A/AAAA record of host on that
 * port (a headless Kubernetes service, a compose service with replicas); `dnssrv+name`, every
 * SRV record's target and port. Names are resolved again after `refreshMs`, so ingesters that
 * come and go are picked up without a restart.
 */
export class IngesterDiscovery {
  private resolved: { at: number; addresses: Promise<string[]> } | undefined;

  constructor(
    private readonly specs: readonly string[],
    private readonly refreshMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    for (const spec of specs) parseSpec(spec);
  }

  /** `host:port` of every ingester now; a name that does not resolve contributes none. */
  addresses(): Promise<string[]> {
    const now = this.now();
    if (!this.resolved || now - this.resolved.at >= this.refreshMs) {
      const addresses = Promise.all(this.specs.map((spec) => resolveSpec(parseSpec(spec)))).then((lists) => [
        ...new Set(lists.flat()),
      ]);
      this.resolved = { at: now, addresses };
    }
    return this.resolved.addresses;
  }
}

type Spec =
  | { kind: 'static'; address: string }
  | { kind: 'dns'; host: string; port: number }
  | { kind: 'srv'; name: string };

export class DiscoverySpecError extends Error {}

/** Checks an address at config time, so a typo fails the start, not every query. */
export function parseSpec(spec: string): Spec {
  if (spec.startsWith('dnssrv+') || spec.startsWith('dnssrvnoa+')) {
    const name = spec.slice(spec.indexOf('+') + 1);
    if (!name) throw new DiscoverySpecError(`"${spec}" names no SRV record`);
    return { kind: 'srv', name };
  }
  const dns = spec.startsWith('dns+');
  const hostPort = dns ? spec.slice(4) : spec;
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hostPort);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port < 1 || port > 65535) {
    throw new DiscoverySpecError(
      `"${spec}" is not host:port (or dns+host:port, dnssrv+name); give each ingester's :3200 address`,
    );
  }
  return dns ? { kind: 'dns', host: match[1], port } : { kind: 'static', address: hostPort };
}

async function resolveSpec(spec: Spec): Promise<string[]> {
  try {
    if (spec.kind === 'static') return [spec.address];
    if (spec.kind === 'dns') {
      const records = await lookup(spec.host, { all: true });
      return records.map((r) =>
        r.family === 6 ? `[${r.address}]:${spec.port}` : `${r.address}:${spec.port}`,
      );
    }
    const records = await resolveSrv(spec.name);
    return records.map((r) => `${r.name}:${r.port}`);
  } catch {
    return [];
  }
}
