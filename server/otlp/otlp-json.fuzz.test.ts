import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_JSON } from '../../fixtures/hostile/corpus';
import { expectCleanDecode, fuzzRuns, truncations } from '../../fixtures/hostile/fuzz';
import { convertOtlpLogs } from '../logs/ingest/otlp-logs';
import { buildLogsConfig } from '../logs/logs-config';
import { translateOtlpMetrics } from '../metrics/ingest/otlp-metrics';
import { OtlpDecodeError } from './errors';
import { type OtlpSignal, otlpJsonToProtobuf } from './otlp-json';
import { splitTracesByTraceId } from './split-traces';

/**
 * Issue 15: OTLP/JSON on hostile input. The conversion returns protobuf or throws
 * `OtlpDecodeError`, fast, for any text; and what it returns, the protobuf path reads without
 * finding it malformed (both encodings refuse the same requests).
 */

const SIGNALS: OtlpSignal[] = ['traces', 'logs', 'metrics'];
const logsConfig = buildLogsConfig((_p, fallback) => fallback, { blockRetentionMs: 1, walPath: '/tmp/x' });

/** The converted request through its signal's protobuf decoder: never malformed. */
function decodeConverted(signal: OtlpSignal, body: Buffer): void {
  if (signal === 'traces') splitTracesByTraceId(body);
  else if (signal === 'logs') convertOtlpLogs(body, logsConfig.limits, logsConfig.otlpIndexLabels);
  else translateOtlpMetrics(body, new Map());
}

function checkJson(signal: OtlpSignal, text: string): void {
  const body = expectCleanDecode(`otlpJsonToProtobuf(${signal})`, () => otlpJsonToProtobuf(text, signal), [
    OtlpDecodeError,
  ]);
  // Limits (a log line too long) are partial success, not throws: nothing may be thrown here.
  if (body)
    expectCleanDecode(`the ${signal} decoder on converted JSON`, () => decodeConverted(signal, body), []);
}

/** Every path (keys and indexes) of a JSON value, the value itself first. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out.push(...pathsOf(value[i], [...prefix, i]));
  } else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

/** Values that sit badly where OTLP/JSON expects something else. */
const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e300,
    -1e300,
    2 ** 53 + 2,
    2 ** 64,
    -1,
    -0,
    0.5,
    Number.MAX_SAFE_INTEGER,
    '1e300',
    '99999999999999999999999999',
    '-9223372036854775809',
    '18446744073709551616',
    '0x10',
    ' 1',
    'NaN',
    '-Infinity',
    '',
    'zz',
    'STATUS_CODE_ERROR',
    '__proto__',
    true,
    null,
    [],
    {},
    [[[[]]]],
    { stringValue: 1 },
    { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'k', value: { intValue: 'x' } }] } }] } },
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 24 }),
  fc.stringMatching(/^-?\d{1,40}$/),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('otlpJsonToProtobuf on hostile input', () => {
  it('the seeds convert, and their protobuf decodes', () => {
    for (const signal of SIGNALS) {
      const body = otlpJsonToProtobuf(JSON.stringify(SEED_JSON[signal]), signal);
      expect(body.length).toBeGreaterThan(0);
      decodeConverted(signal, body);
    }
  });

  it('each seed cut at every character', () => {
    for (const signal of SIGNALS) {
      const text = JSON.stringify(SEED_JSON[signal]);
      for (const cut of truncations(Buffer.from(text))) checkJson(signal, cut.toString('utf8'));
    }
  });

  it('a seed with any one value replaced by a hostile one', () => {
    const seeds = SIGNALS.map((signal) => ({
      signal,
      json: SEED_JSON[signal],
      paths: pathsOf(SEED_JSON[signal]),
    }));
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.nat(),
        fc.array(hostileJsonValue, { minLength: 1, maxLength: 3 }),
        (s, p, values) => {
          const { signal, json, paths } = seeds[s];
          let mutated: unknown = json;
          values.forEach((value, i) => {
            mutated = replaceAt(mutated, paths[(p + i * 7919) % paths.length], value);
          });
          checkJson(signal, JSON.stringify(mutated));
        },
      ),
      fuzzRuns(2000),
    );
  });

  it('arbitrary JSON values and arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNALS),
        fc.oneof(fc.json({ maxDepth: 6 }), fc.string({ maxLength: 200 })),
        (signal, text) => checkJson(signal, text),
      ),
      fuzzRuns(1500),
    );
  });

  it('an enum past int32, or named after an Object property: refused, not written as a broken varint', () => {
    for (const kind of [
      '1e300',
      `"1${'0'.repeat(300)}"`,
      '4294967296',
      '-2147483649',
      '"constructor"',
      '"toString"',
    ]) {
      const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x","kind":${kind}}]}]}]}`;
      expect(() => otlpJsonToProtobuf(text, 'traces')).toThrow(OtlpDecodeError);
    }
  });

  it('an integer of millions of digits: refused at once, not parsed whole', () => {
    const digits = '7'.repeat(5_000_000);
    for (const [signal, text] of [
      ['traces', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"${digits}"}]}]}]}`],
      [
        'metrics',
        `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asInt":"-${digits}"}]}}]}]}]}`,
      ],
    ] as const) {
      const started = performance.now();
      expect(() => otlpJsonToProtobuf(text, signal)).toThrow(/out of range/);
      expect(performance.now() - started).toBeLessThan(200);
    }
    // Leading zeros are still just the number.
    const zeros = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"${'0'.repeat(100)}5"}]}]}]}`;
    expect(otlpJsonToProtobuf(zeros, 'traces').length).toBeGreaterThan(0);
  });

  it('JSON nested 100,000 deep: a 400, not a stack overflow', () => {
    for (const signal of SIGNALS) {
      const deep = `{"resource${signal === 'traces' ? 'Spans' : signal === 'logs' ? 'Logs' : 'Metrics'}":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      expect(() => otlpJsonToProtobuf(deep, signal)).toThrow(OtlpDecodeError);
    }
  });
});
