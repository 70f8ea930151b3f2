import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfigYaml } from '../config/load-config';
import { DEFAULT_OTLP_INDEX_LABELS } from './logs-config';

/** Grafana's data-link variable, spelled out so it is plainly not a JS template. */
const VALUE_RAW = '$' + '{__value.raw}';

describe('logs: config section', () => {
  it('loads Grafana derived fields exactly as provisioned', () => {
    const { config } = parseConfigYaml(
      [
        'logs:',
        '  derivedFields:',
        '    - name: TraceID',
        '      matcherRegex: "trace_id=(\\\\w+)"',
        `      url: "${VALUE_RAW}"`,
        '      datasourceUid: tempo',
      ].join('\n'),
      'test.yaml',
    );
    expect(config.logs.client.derivedFields).toEqual([
      { name: 'TraceID', matcherRegex: 'trace_id=(\\w+)', url: VALUE_RAW, datasourceUid: 'tempo' },
    ]);
    expect(new RegExp(config.logs.client.derivedFields[0].matcherRegex).exec('trace_id=abc123')?.[1]).toBe(
      'abc123',
    );
  });

  it('defaults to Loki limits and the trace retention', () => {
    const { config } = parseConfigYaml('compactor:\n  compaction:\n    block_retention: 48h\n', 'test.yaml');
    expect(config.logs.retentionMs).toBe(48 * 3600_000);
    expect(config.logs.limits).toEqual({
      maxLabelNamesPerSeries: 15,
      maxLabelNameLength: 1024,
      maxLabelValueLength: 2048,
      maxLineBytes: 256 * 1024,
      ingestionRateBytesPerSecond: 4 * 1024 * 1024,
      ingestionBurstBytes: 6 * 1024 * 1024,
    });
    expect(config.logs.otlpIndexLabels).toEqual(DEFAULT_OTLP_INDEX_LABELS);
  });

  it('bounds queries as Loki does: query_timeout 1m, max_query_series 500, both settable', () => {
    const defaults = defaultConfig().logs;
    expect(defaults).toMatchObject({ queryTimeoutMs: 60_000, maxQuerySeries: 500 });
    const { config } = parseConfigYaml('logs:\n  query_timeout: 5s\n  max_query_series: 50\n', 'test.yaml');
    expect(config.logs).toMatchObject({ queryTimeoutMs: 5000, maxQuerySeries: 50 });
    expect(() => parseConfigYaml('logs:\n  max_query_series: 0\n', 'test.yaml')).toThrow(
      'logs.max_query_series',
    );
  });

  it('reads every key', () => {
    const { config } = parseConfigYaml(
      [
        'logs:',
        '  retention_period: 72h',
        '  max_chunk_bytes: 1000',
        '  max_chunk_age: 5m',
        '  max_label_names_per_series: 20',
        '  max_label_name_length: 200',
        '  max_label_value_length: 300',
        '  max_line_size: 0',
        '  ingestion_rate_mb: 0.5',
        '  ingestion_burst_size_mb: 1',
        '  otlp_index_labels: [service.name, team]',
      ].join('\n'),
      'test.yaml',
    );
    expect(config.logs).toMatchObject({
      retentionMs: 72 * 3600_000,
      maxChunkBytes: 1000,
      maxChunkAgeMs: 300_000,
      otlpIndexLabels: ['service.name', 'team'],
      limits: {
        maxLabelNamesPerSeries: 20,
        maxLabelNameLength: 200,
        maxLabelValueLength: 300,
        maxLineBytes: Number.MAX_SAFE_INTEGER,
        ingestionRateBytesPerSecond: 512 * 1024,
        ingestionBurstBytes: 1024 * 1024,
      },
    });
  });

  it.each([
    ['  derivedFields:\n    - name: X', 'logs.derivedFields[0].matcherRegex" is required'],
    [
      '  derivedFields:\n    - name: X\n      matcherRegex: "(unclosed"',
      'not a valid RE2 regular expression: error parsing regexp: missing closing )',
    ],
    [
      '  derivedFields:\n    - name: X\n      matcherRegex: "(?=lookahead)"',
      'not a valid RE2 regular expression',
    ],
    [
      '  derivedFields:\n    - name: X\n      matcherRegex: a\n      matcherType: exact',
      'must be regex or label',
    ],
    [
      '  derivedFields:\n    - name: X\n      matcherRegex: a\n      colour: red',
      'unknown config key "logs.derivedFields[0].colour"',
    ],
    ['  ingestion_rate_mb: -1', 'logs.ingestion_rate_mb'],
    ['  max_chunk_age: soon', 'logs.max_chunk_age'],
    ['  max_label_value_length: 0', 'logs.max_label_value_length'],
    ['  max_label_name_length: long', 'logs.max_label_name_length'],
    ['  max_lines: 3', 'unknown config key "logs.max_lines"'],
  ])('refuses %j', (section, message) => {
    expect(() => parseConfigYaml(`logs:\n${section}\n`, 'test.yaml')).toThrow(message);
  });
});
