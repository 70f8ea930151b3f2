/** Where the e2e's real Prometheus listens; Loupe proxies it as the `prometheus` data source. */
export const PROMETHEUS_PORT = Number(process.env.LOUPE_E2E_PROMETHEUS_PORT ?? 19090);

/**
 * The `metrics_generator:` / `metrics:` sections of the e2e server's config (top-level YAML,
 * ending in a newline): span metrics sampled every second so a test need not wait 15 s, and the
 * real Prometheus the second metrics e2e starts.
 */
export function metricsConfigYaml(): string {
  return [
    'metrics_generator:',
    '  registry:',
    '    collection_interval: 1s',
    'metrics:',
    `  prometheus_url: http://127.0.0.1:${PROMETHEUS_PORT}`,
    '',
  ].join('\n');
}
