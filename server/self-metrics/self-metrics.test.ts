import { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SelfMetrics } from './self-metrics';

async function scrape(metrics: SelfMetrics, accept?: string): Promise<{ contentType: string; text: string }> {
  const { contentType, body } = metrics.exposition(accept);
  let text = '';
  for await (const chunk of body) text += chunk;
  return { contentType, text };
}

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

describe('/metrics exposition', () => {
  it('renders Loupe’s own metrics whatever a module’s families or a collect callback do', async () => {
    const metrics = new SelfMetrics();
    metrics.spansReceived.inc({ tenant: 't1' }, 2);
    new Gauge({
      name: 'loupe_test_broken',
      help: 'A gauge whose collect fails.',
      registers: metrics.registers,
      collect() {
        throw new Error('collect failed');
      },
    });
    metrics.addExposition(() => {
      throw new Error('renderer failed');
    });
    metrics.addExposition(function* () {
      yield '# HELP loupe_test_fine A family from another module.\n# TYPE loupe_test_fine gauge\n';
      yield 'loupe_test_fine 1\n';
    });

    const open = await scrape(metrics, OPENMETRICS);
    expect(open.contentType).toContain('application/openmetrics-text');
    expect(open.text).toContain('# TYPE loupe_distributor_spans_received counter\n');
    expect(open.text).toContain('loupe_distributor_spans_received_total{tenant="t1"} 2\n');
    expect(open.text).toContain('loupe_test_fine 1\n');
    expect(open.text).not.toContain('loupe_test_broken ');
    expect(open.text.endsWith('# EOF\n')).toBe(true);

    const plain = await scrape(metrics);
    expect(plain.contentType).toContain('text/plain');
    // An OpenMetrics scrape before must not rename the counters of the Prometheus format.
    expect(plain.text).toContain('# TYPE loupe_distributor_spans_received_total counter\n');
    expect(plain.text).toContain('loupe_distributor_spans_received_total{tenant="t1"} 2\n');
    expect(plain.text).toContain('loupe_ingester_block_build_seconds_bucket{le="0.01"} 0\n');
    expect(plain.text).toContain('loupe_exposition_series_skipped_total{reason="error"} 2\n');
    expect(plain.text).not.toContain('# EOF');
  });
});
