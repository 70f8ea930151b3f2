import { describe, expect, it } from 'vitest';
import { LOGS_DEFAULTS, type LogsLimits } from '../logs-config';
import { streamLabelsProblem } from './limits';
import { abbreviate, describeJsonValue } from './quote';

const limits: LogsLimits = {
  maxLabelNamesPerSeries: 3,
  maxLabelNameLength: 10,
  maxLabelValueLength: 12,
  maxLineBytes: 100,
  ingestionRateBytesPerSecond: 1000,
  ingestionBurstBytes: 1000,
};

describe('streamLabelsProblem', () => {
  it('accepts labels at the limits, counting bytes as Loki does', () => {
    expect(streamLabelsProblem({ abcdefghij: 'é'.repeat(6), b: 'x' }, limits)).toBeUndefined();
  });

  it.each([
    [{}, 'invalid_labels', 'error at least one label pair is required per stream'],
    [
      { a: '1', b: '2', c: '3', d: '4' },
      'invalid_labels',
      `stream '{a="1", b="2", c="3", d="4"}' has 4 label names; limit 3`,
    ],
    [
      { abcdefghijk: 'x' },
      'label_name_too_long',
      `stream '{abcdefghijk="x"}' has label name too long: 'abcdefghijk'`,
    ],
    [
      { a: 'é'.repeat(7) },
      'label_value_too_long',
      `stream '{a="ééééééé"}' has label value too long: 'ééééééé'`,
    ],
  ])('refuses %j with reason and Loki message', (labels, reason, message) => {
    const problem = streamLabelsProblem(labels, limits);
    expect(problem?.reason).toBe(reason);
    expect(problem?.message.startsWith(message)).toBe(true);
  });

  it('quotes a 10 MiB value cut short, with its size and the key that limits it', () => {
    const huge = 'v'.repeat(10 * 1024 * 1024);
    const problem = streamLabelsProblem({ pod: huge, service_name: 'api' }, { ...limits, ...LOGS_DEFAULTS });
    expect(problem?.message).toBe(
      `stream '{pod="${'v'.repeat(100)}…", service_name="api"}' has label value too long: '${'v'.repeat(100)}…' (10485760 bytes, over max_label_value_length 2048)`,
    );
  });
});

describe('quoting in messages', () => {
  it('cuts text short without splitting a surrogate pair', () => {
    expect(abbreviate('short')).toBe('short');
    expect(abbreviate('abcdef', 3)).toBe('abc…');
    expect(abbreviate('ab😀cd', 3)).toBe('ab…');
  });

  it('describes JSON values without walking into them', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeJsonValue(deep)).toBe('an array');
    expect(describeJsonValue({ a: 1 })).toBe('an object');
    expect(describeJsonValue(null)).toBe('null');
    expect(describeJsonValue(12)).toBe('12');
    expect(describeJsonValue('y'.repeat(500))).toBe(`"${'y'.repeat(100)}…"`);
  });
});
