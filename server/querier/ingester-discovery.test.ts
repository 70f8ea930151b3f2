import { describe, expect, it } from 'vitest';
import { DiscoverySpecError, IngesterDiscovery, parseSpec } from './ingester-discovery';

describe('IngesterDiscovery', () => {
  it('reads host:port as it is and resolves dns+ names to every address on that port', async () => {
    const discovery = new IngesterDiscovery(['10.1.2.3:3200', 'dns+localhost:3201']);
    const addresses = await discovery.addresses();
    expect(addresses[0]).toBe('10.1.2.3:3200');
    expect(addresses.slice(1).length).toBeGreaterThanOrEqual(1);
    for (const address of addresses.slice(1)) expect(address).toMatch(/^(127\.0\.0\.1|\[::1\]):3201$/);
  });

  it('leaves out a name that does not resolve, and resolves again only after the refresh period', async () => {
    let now = 0;
    const discovery = new IngesterDiscovery(
      ['dns+no-such-host.invalid:3200', '10.0.0.1:3200'],
      1000,
      () => now,
    );
    const first = discovery.addresses();
    expect(await first).toEqual(['10.0.0.1:3200']);
    now = 999;
    expect(discovery.addresses()).toBe(first);
    now = 1000;
    expect(discovery.addresses()).not.toBe(first);
  });

  it('refuses at config time what is not host:port, dns+host:port or dnssrv+name', () => {
    for (const bad of [
      'ingester',
      'ingester:',
      'ingester:99999',
      'dns+ingester',
      'dnssrv+',
      'http://x:3200',
    ]) {
      expect(() => parseSpec(bad), bad).toThrow(DiscoverySpecError);
    }
    expect(parseSpec('[::1]:3200')).toEqual({ kind: 'static', address: '[::1]:3200' });
    expect(parseSpec('dnssrv+_http._tcp.ingesters')).toEqual({ kind: 'srv', name: '_http._tcp.ingesters' });
  });
});
