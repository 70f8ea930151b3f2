/**
 * The `logs:` section of the e2e server's config (top-level YAML, ending in a newline). The derived
 * field is Grafana's Loki provisioning snippet, character for character, indented under `logs:`.
 */
export const DERIVED_FIELDS_SNIPPET = [
  'derivedFields:',
  '  - name: TraceID',
  '    matcherRegex: "trace_id=(\\\\w+)"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's URL template, written as users do
  '    url: "${__value.raw}"',
  '    datasourceUid: tempo',
].join('\n');

export function logsConfigYaml(): string {
  const indented = DERIVED_FIELDS_SNIPPET.split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `logs:\n${indented}\n`;
}
