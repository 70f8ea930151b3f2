import { SelfMetrics } from '../../self-metrics/self-metrics';
import { freshBackendPerTest } from '../store-test-support';
import { MeteredBackend } from './metered-backend';

/** Every backend call shows in /metrics by operation and outcome, with its bytes. */
const fresh = freshBackendPerTest();

async function counts(metrics: SelfMetrics) {
  const requests = await metrics.backendRequests.get();
  const bytes = await metrics.backendBytes.get();
  const by = (labels: Record<string, string>) =>
    requests.values
      .filter((v) =>
        Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
      )
      .reduce((n, v) => n + v.value, 0);
  const bytesOf = (operation: string) =>
    bytes.values.filter((v) => v.labels.operation === operation).reduce((n, v) => n + v.value, 0);
  return { by, bytesOf };
}

describe('MeteredBackend', () => {
  it('counts calls by operation and outcome, and bytes read and written', async () => {
    const metrics = new SelfMetrics();
    const backend = new MeteredBackend(fresh.backend, metrics);

    await backend.write('t/b/data', [Buffer.alloc(300, 1), Buffer.alloc(200, 2)]);
    await backend.read('t/b/data');
    await backend.read('t/b/absent');
    await backend.readRange('t/b/data', 10, 40);
    await expect(backend.readRange('t/b/data', 490, 40)).rejects.toThrow(RangeError);
    await expect(backend.read('t/b/data', { signal: AbortSignal.abort() })).rejects.toThrow();
    await backend.list('t/');
    await backend.delete('t/');

    const { by, bytesOf } = await counts(metrics);
    expect(by({ operation: 'write', outcome: 'ok' })).toBe(1);
    expect(by({ operation: 'read', outcome: 'ok' })).toBe(1);
    expect(by({ operation: 'read', outcome: 'missing' })).toBe(1);
    expect(by({ operation: 'read', outcome: 'aborted' })).toBe(1);
    expect(by({ operation: 'read_range', outcome: 'ok' })).toBe(1);
    expect(by({ operation: 'read_range', outcome: 'error' })).toBe(1);
    expect(by({ operation: 'list', outcome: 'ok' })).toBe(1);
    expect(by({ operation: 'delete', outcome: 'ok' })).toBe(1);
    expect(bytesOf('write')).toBe(500);
    expect(bytesOf('read')).toBe(500);
    expect(bytesOf('read_range')).toBe(40);
  });
});
