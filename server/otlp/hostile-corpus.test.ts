import { describe, expect, it } from 'vitest';
import {
  CORPUS,
  type CorpusEntry,
  decodedBody,
  type OtlpSignal,
  type Outcome,
  readCorpusFile,
  storedBytes,
} from '../../fixtures/hostile/corpus';
import { expectCleanDecode } from '../../fixtures/hostile/fuzz';
import { LogsRequestError } from '../logs/errors';
import { decodeLokiJson, decodeLokiProtobuf } from '../logs/ingest/loki-push';
import { normaliseLokiPush } from '../logs/ingest/normalise-push';
import { convertOtlpLogs } from '../logs/ingest/otlp-logs';
import { buildLogsConfig } from '../logs/logs-config';
import { translateOtlpMetrics } from '../metrics/ingest/otlp-metrics';
import { combineTraceParts } from './combine-trace';
import { OtlpDecodeError } from './errors';
import { otlpJsonToProtobuf } from './otlp-json';
import { forEachSpan } from './span-visitor';
import { splitTracesByTraceId } from './split-traces';
import { tracesDataToTempoJson } from './tempo-json';

/**
 * Issue 15: every file of the hostile corpus (fixtures/hostile/) through every decoder it can
 * reach, one by one, in process: each returns or throws its own error type within a bound, and
 * refuses what the corpus says must be refused. The HTTP and gRPC answers to the same files are
 * checked in server/integration/hostile/corpus.test.ts.
 */

const logsConfig = buildLogsConfig((_p, fallback) => fallback, { blockRetentionMs: 1, walPath: '/tmp/x' });
const MAX_BODY = 20 * 1024 * 1024;
/** Bodies up to 20 MiB: walking one must still take well under a second or two. */
const BOUND_MS = 2000;
const SIGNALS: OtlpSignal[] = ['traces', 'logs', 'metrics'];

/** Whether the decoders refused the body (threw, or kept no span of a traces request). */
type Verdict = 'refused' | 'accepted';

function decodeProtobuf(signal: OtlpSignal, body: Buffer, name: string): Verdict {
  if (signal === 'logs') {
    const out = expectCleanDecode(
      `${name}: convertOtlpLogs`,
      () => convertOtlpLogs(body, logsConfig.limits, logsConfig.otlpIndexLabels),
      [LogsRequestError],
      BOUND_MS,
    );
    return out ? 'accepted' : 'refused';
  }
  if (signal === 'metrics') {
    const out = expectCleanDecode(
      `${name}: translateOtlpMetrics`,
      () => translateOtlpMetrics(body, new Map(), { maxNameBytes: 1024, maxValueBytes: 2048 }, 160),
      [OtlpDecodeError],
      BOUND_MS,
    );
    return out ? 'accepted' : 'refused';
  }
  const split = expectCleanDecode(
    `${name}: splitTracesByTraceId`,
    () => splitTracesByTraceId(body),
    [OtlpDecodeError],
    BOUND_MS,
  );
  // The readers after the splitter: on bytes it refused, their own error; on what it kept, none.
  const allowed = split ? [] : [OtlpDecodeError];
  expectCleanDecode(`${name}: forEachSpan`, () => forEachSpan(body, () => {}), allowed, BOUND_MS);
  // Tempo JSON reads stored traces, and renders every value: a large request's time is its size's.
  if (body.length <= 1 << 20)
    expectCleanDecode(
      `${name}: tracesDataToTempoJson`,
      () => tracesDataToTempoJson(body),
      [OtlpDecodeError],
      BOUND_MS,
    );
  for (const fragment of (split?.fragments ?? []).filter((f) => f.data.length <= 1 << 20)) {
    expectCleanDecode(
      `${name}: combine and render a fragment`,
      () => tracesDataToTempoJson(combineTraceParts([fragment.data, fragment.data], 1 << 20).data),
      [],
      BOUND_MS,
    );
  }
  if (!split) {
    expectCleanDecode(
      `${name}: combineTraceParts`,
      () => combineTraceParts([body], 0),
      [OtlpDecodeError],
      BOUND_MS,
    );
  }
  // The distributor refuses a request with no valid span (400).
  return split && split.acceptedSpans > 0 ? 'accepted' : 'refused';
}

function decodeJson(signal: OtlpSignal, text: string, name: string): Verdict {
  const body = expectCleanDecode(
    `${name}: otlpJsonToProtobuf(${signal})`,
    () => otlpJsonToProtobuf(text, signal),
    [OtlpDecodeError],
    BOUND_MS,
  );
  return body ? decodeProtobuf(signal, body, name) : 'refused';
}

function decodeLoki(entry: CorpusEntry, body: Buffer): Verdict {
  const raw = expectCleanDecode(
    `${entry.name}: Loki decode`,
    () => (entry.kind === 'loki-json' ? decodeLokiJson(body) : decodeLokiProtobuf(body, MAX_BODY)),
    [LogsRequestError],
    BOUND_MS,
  );
  if (!raw) return 'refused';
  const normalised = expectCleanDecode(
    `${entry.name}: normaliseLokiPush`,
    () => normaliseLokiPush(raw, logsConfig.limits),
    [],
    BOUND_MS,
  );
  return normalised?.error ? 'refused' : 'accepted';
}

function expectVerdict(
  entry: CorpusEntry,
  where: string,
  outcome: Outcome | undefined,
  verdict: Verdict,
): void {
  if (outcome === 'refused' || outcome === 'accepted')
    expect(verdict, `${entry.name} on ${where}`).toBe(outcome);
}

/** Bodies the HTTP layer refuses before any decoder: too large once inflated, or not gzip. */
function refusedBeforeDecoding(entry: CorpusEntry, body: Buffer): boolean {
  return body.length > MAX_BODY || (entry.gzip === true && entry.name.startsWith('gzip-'));
}

describe('the hostile corpus', () => {
  it('is what corpus.ts builds (regenerate with `npx tsx fixtures/hostile/generate.ts`)', () => {
    for (const entry of CORPUS) {
      const stored = readCorpusFile(entry);
      if (entry.gzip && !entry.name.startsWith('gzip-')) {
        expect(decodedBody(entry).equals(entry.build()), entry.name).toBe(true);
      } else expect(stored.equals(storedBytes(entry)), entry.name).toBe(true);
    }
  });

  it('stays small: under 2 MiB stored', () => {
    const total = CORPUS.reduce((n, entry) => n + readCorpusFile(entry).length, 0);
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  for (const entry of CORPUS) {
    it(`${entry.name}: every decoder answers cleanly`, () => {
      const body = decodedBody(entry);
      if (refusedBeforeDecoding(entry, body)) return;
      if (entry.kind === 'loki-json' || entry.kind === 'loki-protobuf') {
        expectVerdict(entry, 'loki', entry.outcome.loki, decodeLoki(entry, body));
        return;
      }
      for (const signal of SIGNALS) {
        const verdict =
          entry.kind === 'otlp-json'
            ? decodeJson(signal, body.toString('utf8'), entry.name)
            : decodeProtobuf(signal, body, entry.name);
        expectVerdict(entry, signal, entry.outcome[signal], verdict);
      }
    });
  }
});
