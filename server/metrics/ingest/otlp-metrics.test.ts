import { describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { labelLimitMessage, tooManyBucketsMessage, translateOtlpMetrics } from './otlp-metrics';

// Room for `lat_bucket` (10 bytes) as a value, not for `/much-too-long` (14).
const LIMITS = { maxNameBytes: 16, maxValueBytes: 12 };
const attr = (key: string, stringValue: string) => ({ key, value: { stringValue } });

/** An ExportMetricsServiceRequest with a gauge and a histogram, each with one data point per attribute set. */
function request(pointAttributes: { key: string; value: { stringValue: string } }[][]): Uint8Array {
  const { ExportMetricsServiceRequest } = otlpProtoTypes();
  const timeUnixNano = '1700000000000000000';
  return ExportMetricsServiceRequest.encode(
    ExportMetricsServiceRequest.fromObject({
      resourceMetrics: [
        {
          resource: { attributes: [attr('service.name', 'api')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'hits',
                  gauge: {
                    dataPoints: pointAttributes.map((attributes) => ({ attributes, timeUnixNano, asInt: 1 })),
                  },
                },
                {
                  name: 'lat',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: pointAttributes.map((attributes) => ({
                      attributes,
                      timeUnixNano,
                      count: 1,
                      sum: 0.1,
                      bucketCounts: [1, 0],
                      explicitBounds: [1],
                      exemplars: [
                        { timeUnixNano, asDouble: 0.1, filteredAttributes: [attr('user', 'x'.repeat(50))] },
                      ],
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
}

describe('OTLP metrics label limits', () => {
  it('refuses each data point with a label over the limits and keeps the others', () => {
    const body = request([
      [attr('route', '/a')],
      [attr('route', '/much-too-long')],
      [attr('a_very_long_label_name', '1')],
    ]);
    const { batch, refusedPoints, firstRefusal } = translateOtlpMetrics(body, new Map(), LIMITS);
    // Gauge and histogram: one value and one name violation each.
    expect(refusedPoints).toEqual({ name: 2, value: 2 });
    const routes = new Set(batch.series.map((s) => s.labels.route));
    expect(routes).toEqual(new Set(['/a']));
    expect(batch.series.map((s) => s.labels.__name__).sort()).toEqual([
      'hits',
      'lat_bucket',
      'lat_bucket',
      'lat_count',
      'lat_sum',
    ]);
    // The exemplar's label is over the value limit: dropped, its bucket sample kept.
    expect(batch.series.flatMap((s) => s.exemplars ?? [])).toEqual([]);
    expect(firstRefusal).toMatchObject({
      kind: 'value',
      name: 'route',
      metric: 'hits',
      bytes: 14,
      limit: 12,
    });
    expect(labelLimitMessage(4, firstRefusal!)).toBe(
      '4 data points refused for labels over the length limits; first, in "hits": label "route" has a value of 14 bytes, over the limit of 12 (metrics.max_label_value_length): "/much-too-long"',
    );
  });

  it('stores everything without limits', () => {
    const body = request([[attr('route', '/much-too-long')]]);
    const { batch, refusedPoints } = translateOtlpMetrics(body, new Map());
    expect(refusedPoints).toEqual({ name: 0, value: 0 });
    expect(batch.series).toHaveLength(5);
  });
});

describe('OTLP histogram bucket limit', () => {
  /** One histogram with a data point of `bounds` explicit bounds per entry. */
  function histogram(boundCounts: number[]): Uint8Array {
    const { ExportMetricsServiceRequest } = otlpProtoTypes();
    const dataPoints = boundCounts.map((n, i) => ({
      attributes: [attr('point', String(i))],
      timeUnixNano: '1700000000000000000',
      count: 1,
      sum: 1,
      explicitBounds: Array.from({ length: n }, (_, b) => b),
      bucketCounts: Array.from({ length: n + 1 }, () => 0),
    }));
    return ExportMetricsServiceRequest.encode(
      ExportMetricsServiceRequest.fromObject({
        resourceMetrics: [
          {
            scopeMetrics: [
              { metrics: [{ name: 'lat', histogram: { aggregationTemporality: 2, dataPoints } }] },
            ],
          },
        ],
      }),
    ).finish();
  }

  it('refuses a data point with more buckets than the limit, whole, and keeps one at the limit', () => {
    const { batch, tooManyBuckets } = translateOtlpMetrics(
      histogram([159, 100_000]),
      new Map(),
      undefined,
      160,
    );
    expect(tooManyBuckets).toEqual({ points: 1, first: { metric: 'lat', buckets: 100_001 } });
    // 160 buckets, _sum and _count of the first point; nothing of the second.
    expect(batch.series).toHaveLength(162);
    expect(new Set(batch.series.map((s) => s.labels.point))).toEqual(new Set(['0']));
    expect(tooManyBucketsMessage(tooManyBuckets, 160)).toBe(
      '1 histogram data points refused for too many buckets; first, "lat" has 100001 buckets, over the limit of 160 (metrics.max_histogram_buckets): use fewer explicit bounds',
    );
  });

  it('keeps every bucket without a limit', () => {
    const { batch, tooManyBuckets } = translateOtlpMetrics(histogram([500]), new Map());
    expect(tooManyBuckets.points).toBe(0);
    expect(batch.series).toHaveLength(503);
  });
});
