/** The `metrics_generator:` / `metrics:` sections of the e2e server's config (top-level YAML, ending in a newline). */
export function metricsConfigYaml(): string {
  return '';
}
