import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedProtobuf } from '../../../fixtures/hostile/corpus';
import {
  anyBytes,
  bitFlips,
  emptyMessages,
  expectCleanDecode,
  fuzzRuns,
  lengthDelimited,
  mutatedSeed,
  truncations,
} from '../../../fixtures/hostile/fuzz';
import { MAX_DECODED_ITEMS, MAX_DECODED_MESSAGES } from '../../otlp/decode-budget';
import { OtlpDecodeError } from '../../otlp/errors';
import { translateOtlpMetrics } from './otlp-metrics';

/**
 * Issue 15: the OTLP metrics decoder on hostile bytes returns or throws `OtlpDecodeError`, fast,
 * with label limits and a bucket limit set as the server sets them.
 */

const SEED = seedProtobuf('metrics');
const LIMITS = { maxNameBytes: 1024, maxValueBytes: 2048 };

function checkMetrics(body: Buffer): void {
  expectCleanDecode('translateOtlpMetrics', () => translateOtlpMetrics(body, new Map(), LIMITS, 160), [
    OtlpDecodeError,
  ]);
}

describe('translateOtlpMetrics on hostile bytes', () => {
  it('the seed translates: a series per gauge, sum, bucket, quantile', () => {
    const { batch, unsupportedPoints } = translateOtlpMetrics(SEED, new Map());
    expect(batch.series.length).toBeGreaterThan(5);
    expect(unsupportedPoints).toBe(1);
  });

  it('cut at every byte, and seeded bit flips', () => {
    for (const body of [...truncations(SEED), ...bitFlips(SEED, 300, 1), ...bitFlips(SEED, 200, 4)])
      checkMetrics(body);
  });

  it('mutated seeds and arbitrary bytes', () => {
    fc.assert(fc.property(fc.oneof(mutatedSeed([SEED]), anyBytes), checkMetrics), fuzzRuns(2000));
  });

  it('refuses more data points, or more messages, than the budget before decoding any', () => {
    // One gauge (Metric.gauge = 5) with 500,001 empty data points (Gauge.data_points = 1).
    const points = lengthDelimited(0x12, lengthDelimited(0x2a, emptyMessages(0x0a, MAX_DECODED_ITEMS + 1)));
    const started = performance.now();
    expect(() =>
      translateOtlpMetrics(lengthDelimited(0x0a, lengthDelimited(0x12, points)), new Map()),
    ).toThrow(`more than ${MAX_DECODED_ITEMS} data points`);
    // 2,000,001 empty metrics.
    const metrics = lengthDelimited(
      0x0a,
      lengthDelimited(0x12, emptyMessages(0x12, MAX_DECODED_MESSAGES + 1)),
    );
    expect(() => translateOtlpMetrics(metrics, new Map())).toThrow(
      `more than ${MAX_DECODED_MESSAGES} protobuf messages`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
