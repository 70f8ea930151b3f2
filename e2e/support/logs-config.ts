/** The `logs:` section of the e2e server's config (top-level YAML, ending in a newline). */
export function logsConfigYaml(): string {
  return '';
}
