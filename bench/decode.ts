import { pathToFileURL } from 'node:url';
import { generateTraceRequests } from '../fixtures/synthetic-traces';
import { otlpProtoTypes } from '../server/otlp/protobuf-root';
import { splitTracesByTraceId } from '../server/otlp/split-traces';

export interface DecodeFigures {
  /** Spans per second through `splitTracesByTraceId` (fragments built, ready for the WAL). */
  splitSpansPerSec: number;
  /** Spans per second through a plain protobufjs `ExportTraceServiceRequest.decode`. */
  protobufjsSpansPerSec: number;
  /** split / protobufjs. */
  ratio: number;
}

export interface DecodeBenchOptions {
  /** Length of one timed round; default 400 ms. */
  roundMs?: number;
  /** Timed rounds per decoder, the median is reported; default 3. */
  rounds?: number;
}

/** Runs `decode` over every request until `ms` have passed; returns spans per second. */
function spansPerSecond(
  requests: Buffer[],
  spanCount: number,
  decode: (request: Buffer) => unknown,
  ms: number,
): number {
  const started = performance.now();
  let passes = 0;
  let elapsed = 0;
  do {
    for (const request of requests) decode(request);
    passes++;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  return (passes * spanCount * 1000) / elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The ingest hot path against the obvious alternative, on the same realistic 100-span
 * requests (spans of several traces and 8 services per request): each decoder is warmed up,
 * then timed for a few rounds of `roundMs`, and the median round is kept. Rounds of one
 * decoder run back to back so that neither pays for the other's garbage.
 */
export async function measureDecode(opts: DecodeBenchOptions = {}): Promise<DecodeFigures> {
  const roundMs = opts.roundMs ?? 400;
  const rounds = opts.rounds ?? 3;
  const { requests, spanCount } = generateTraceRequests({
    traces: 600,
    spansPerTrace: [5, 40],
    spansPerRequest: 100,
    seed: 20250115,
  });
  const Request = otlpProtoTypes().ExportTraceServiceRequest;
  const decoders: [string, (request: Buffer) => unknown][] = [
    ['split', (request) => splitTracesByTraceId(request)],
    ['protobufjs', (request) => Request.decode(request)],
  ];
  const rates = new Map<string, number>();
  for (const [name, decode] of decoders) {
    spansPerSecond(requests, spanCount, decode, roundMs / 2);
    const measured: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await nextTick();
      measured.push(spansPerSecond(requests, spanCount, decode, roundMs));
    }
    rates.set(name, median(measured));
  }
  const split = rates.get('split') ?? 0;
  const protobufjs = rates.get('protobufjs') ?? 0;
  return {
    splitSpansPerSec: Math.round(split),
    protobufjsSpansPerSec: Math.round(protobufjs),
    ratio: protobufjs > 0 ? split / protobufjs : 0,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureDecode();
  const perSec = (n: number) => `${(n / 1e6).toFixed(2)}M spans/s`;
  console.log(`split (hand-written reader): ${perSec(figures.splitSpansPerSec)}`);
  console.log(`protobufjs decode:           ${perSec(figures.protobufjsSpansPerSec)}`);
  console.log(`ratio:                       ${figures.ratio.toFixed(1)}x`);
}
