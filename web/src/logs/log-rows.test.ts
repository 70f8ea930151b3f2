import { type LokiStreamsResponse, toLogRows } from './log-rows';

const categorised: LokiStreamsResponse = {
  status: 'success',
  data: {
    resultType: 'streams',
    encodingFlags: ['categorize-labels'],
    result: [
      {
        stream: { service_name: 'checkout' },
        values: [
          [
            '1715679000000000003',
            'third',
            { structuredMetadata: { trace_id: 'ab', detected_level: 'error' } },
          ],
          ['1715679000000000001', 'first', {}],
        ],
      },
      {
        stream: { service_name: 'payment' },
        values: [['1715679000000000002', 'level=warn second', { parsed: { level: 'warn' } }]],
      },
    ],
  },
};

describe('Loki answers as rows', () => {
  it('merges streams newest first, with labels kept apart by kind', () => {
    const rows = toLogRows(categorised, 'backward', 100);
    expect(rows.map((r) => r.line)).toEqual(['third', 'level=warn second', 'first']);
    expect(rows[0]).toMatchObject({
      labels: { service_name: 'checkout' },
      structuredMetadata: { trace_id: 'ab', detected_level: 'error' },
      level: 'error',
      timeMs: 1715679000000,
    });
    expect(rows[1]).toMatchObject({
      labels: { service_name: 'payment' },
      parsed: { level: 'warn' },
      level: 'warning',
    });
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  });

  it('orders oldest first going forward, and keeps to the limit', () => {
    expect(toLogRows(categorised, 'forward', 2).map((r) => r.line)).toEqual(['first', 'level=warn second']);
  });

  it('reads the plain shape, with everything in the stream labels', () => {
    const rows = toLogRows(
      {
        data: {
          resultType: 'streams',
          result: [{ stream: { service_name: 'a', level: 'debug' }, values: [['5000000', 'x']] }],
        },
      },
      'backward',
      10,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        line: 'x',
        timeMs: 5,
        labels: { service_name: 'a', level: 'debug' },
        level: 'debug',
      }),
    ]);
    expect(toLogRows({}, 'backward', 10)).toEqual([]);
  });

  it('accepts structured metadata written as name/value pairs', () => {
    const rows = toLogRows(
      {
        data: {
          result: [
            {
              stream: {},
              values: [['1', 'x', { structuredMetadata: [{ name: 'trace_id', value: 'cd' }] as never }]],
            },
          ],
        },
      },
      'backward',
      10,
    );
    expect(rows[0].structuredMetadata).toEqual({ trace_id: 'cd' });
  });
});
