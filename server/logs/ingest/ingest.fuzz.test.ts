import fc from 'fast-check';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { SEED_LOKI, seedProtobuf } from '../../../fixtures/hostile/corpus';
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
import { MAX_DECODED_ITEMS } from '../../otlp/decode-budget';
import { LogsRequestError } from '../errors';
import { buildLogsConfig } from '../logs-config';
import { decodeLokiJson, decodeLokiProtobuf } from './loki-push';
import { normaliseLokiPush } from './normalise-push';
import { convertOtlpLogs } from './otlp-logs';
import { SnappyError, uncompressSnappyBlock } from './snappy-block';

/**
 * Issue 15: the logs decoders (OTLP logs, Loki push in JSON and snappy protobuf) on hostile
 * bytes: each returns or throws `LogsRequestError` (a 4xx), fast; what they return normalises
 * without throwing.
 */

const config = buildLogsConfig((_p, fallback) => fallback, { blockRetentionMs: 1, walPath: '/tmp/x' });
const MAX_BODY = 20 * 1024 * 1024;
const ONLY_LOGS_ERRORS = [LogsRequestError];

function checkOtlpLogs(body: Buffer): void {
  expectCleanDecode(
    'convertOtlpLogs',
    () => convertOtlpLogs(body, config.limits, config.otlpIndexLabels),
    ONLY_LOGS_ERRORS,
  );
}

function checkLokiProtobuf(compressed: Buffer): void {
  const raw = expectCleanDecode(
    'decodeLokiProtobuf',
    () => decodeLokiProtobuf(compressed, MAX_BODY),
    ONLY_LOGS_ERRORS,
  );
  if (raw) expectCleanDecode('normaliseLokiPush', () => normaliseLokiPush(raw, config.limits), []);
}

function checkLokiJson(body: Buffer): void {
  const raw = expectCleanDecode('decodeLokiJson', () => decodeLokiJson(body), ONLY_LOGS_ERRORS);
  if (raw) expectCleanDecode('normaliseLokiPush', () => normaliseLokiPush(raw, config.limits), []);
}

const snappy = (raw: Uint8Array) => Buffer.from(SnappyJS.compress(Buffer.from(raw)));
const OTLP_SEED = seedProtobuf('logs');
const LOKI_PROTO_SEED = SEED_LOKI.protobuf();
const LOKI_JSON_SEED = SEED_LOKI.json();

describe('OTLP logs on hostile bytes', () => {
  it('the seed converts whole', () => {
    expect(convertOtlpLogs(OTLP_SEED, config.limits, config.otlpIndexLabels).lines).toBe(2);
  });

  it('cut at every byte, and seeded bit flips', () => {
    for (const body of [
      ...truncations(OTLP_SEED),
      ...bitFlips(OTLP_SEED, 300, 1),
      ...bitFlips(OTLP_SEED, 200, 4),
    ])
      checkOtlpLogs(body);
  });

  it('mutated seeds and arbitrary bytes', () => {
    fc.assert(fc.property(fc.oneof(mutatedSeed([OTLP_SEED]), anyBytes), checkOtlpLogs), fuzzRuns(2000));
  });

  it('refuses more log records than the budget before decoding any', () => {
    const records = emptyMessages(0x12, MAX_DECODED_ITEMS + 1); // LogRecord, empty
    const request = lengthDelimited(0x0a, lengthDelimited(0x12, records));
    const started = performance.now();
    expect(() => convertOtlpLogs(request, config.limits, [])).toThrow(
      `more than ${MAX_DECODED_ITEMS} log records; send smaller batches`,
    );
    // Without the budget: some 3 s and 600 MB for these 500,001 empty records.
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('the snappy block decoder', () => {
  it('inflates what snappyjs compresses, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }),
          // Repetitive input, so that copies (overlapping ones too) are used.
          fc
            .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 5000 }))
            .map(([unit, n]) => Buffer.concat(Array.from({ length: n }, () => Buffer.from(unit)))),
        ),
        (raw) => {
          const input = Buffer.from(raw);
          expect(uncompressSnappyBlock(snappy(input), input.length).equals(input)).toBe(true);
        },
      ),
      fuzzRuns(300),
    );
  });

  it('ten bytes announcing a literal of 3 GB: refused at once (snappyjs spun for seconds)', () => {
    const started = performance.now();
    const body = Buffer.from('ee5bfc05205ab6fce14f', 'hex');
    expect(() => uncompressSnappyBlock(body, MAX_BODY)).toThrow(SnappyError);
    expect(() => decodeLokiProtobuf(body, MAX_BODY)).toThrow(LogsRequestError);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses blocks past maxLength, lengths past 2^32, copies before the start, and short blocks', () => {
    for (const hex of [
      'ffffffff0f00',
      'ffffffffff01',
      '0a0041fe0010',
      '05',
      '0a0c68656c6c6f',
      '0300616263ff',
    ]) {
      expect(() => uncompressSnappyBlock(Buffer.from(hex, 'hex'), 1 << 20), hex).toThrow(SnappyError);
    }
    expect(() => uncompressSnappyBlock(snappy(Buffer.alloc(2000)), 1999)).toThrow(
      'more than the 1999 allowed',
    );
  });
});

describe('Loki push on hostile bytes', () => {
  it('the seeds decode whole', () => {
    expect(decodeLokiProtobuf(snappy(LOKI_PROTO_SEED), MAX_BODY)[0].entries).toHaveLength(2);
    expect(decodeLokiJson(LOKI_JSON_SEED)[0].entries).toHaveLength(2);
  });

  it('protobuf: the PushRequest cut, flipped and mutated under valid snappy', () => {
    for (const raw of [...truncations(LOKI_PROTO_SEED), ...bitFlips(LOKI_PROTO_SEED, 300, 1)])
      checkLokiProtobuf(snappy(raw));
    fc.assert(
      fc.property(mutatedSeed([LOKI_PROTO_SEED]), (raw) => checkLokiProtobuf(snappy(raw))),
      fuzzRuns(1500),
    );
  });

  it('protobuf: the snappy block itself cut, flipped, mutated, or arbitrary', () => {
    const compressed = snappy(LOKI_PROTO_SEED);
    for (const body of [...truncations(compressed), ...bitFlips(compressed, 300, 1)]) checkLokiProtobuf(body);
    fc.assert(fc.property(fc.oneof(mutatedSeed([compressed]), anyBytes), checkLokiProtobuf), fuzzRuns(1500));
  });

  it('JSON: cut at every byte, mutated, arbitrary JSON values and text', () => {
    for (const body of truncations(LOKI_JSON_SEED)) checkLokiJson(body);
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedSeed([LOKI_JSON_SEED]),
          fc.json({ maxDepth: 5 }).map((t) => Buffer.from(t)),
          fc
            .record({
              streams: fc.array(
                fc.record({
                  stream: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
                  values: fc.oneof(fc.array(fc.array(fc.jsonValue(), { maxLength: 4 })), fc.jsonValue()),
                }),
              ),
            })
            .map((v) => Buffer.from(JSON.stringify(v))),
        ),
        checkLokiJson,
      ),
      fuzzRuns(1000),
    );
  });

  it('refuses more entries than the budget, in JSON and in protobuf', () => {
    const json = `{"streams":[{"stream":{"job":"a"},"values":[${Array.from({ length: MAX_DECODED_ITEMS + 1 }, () => '["1","x"]').join(',')}]}]}`;
    expect(() => decodeLokiJson(Buffer.from(json))).toThrow(`more than ${MAX_DECODED_ITEMS} entries`);
    const stream = lengthDelimited(0x0a, emptyMessages(0x12, MAX_DECODED_ITEMS + 1));
    expect(() => decodeLokiProtobuf(snappy(stream), MAX_BODY)).toThrow(
      `more than ${MAX_DECODED_ITEMS} entries`,
    );
  });
});
