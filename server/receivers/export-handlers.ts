import type { Distributor } from '../distributor/distributor';
import { type PartialSuccess, partialSuccessFor } from '../otlp/export-response';
import type { OtlpSignal } from '../otlp/otlp-json';
import type { SignalSinks } from './signal-sink';

/** One signal's Export: the request's protobuf body in, the `partial_success` to answer out. */
export type ExportHandler = (tenantId: string, body: Uint8Array) => Promise<PartialSuccess | undefined>;

/**
 * The signals a receiver serves, each with its Export, the same for gRPC and HTTP: traces go to
 * the distributor, logs and metrics to their sinks when they exist (otherwise they are not served).
 */
export function exportHandlers(
  distributor: Distributor,
  sinks: SignalSinks = {},
): [OtlpSignal, ExportHandler][] {
  const handlers: [OtlpSignal, ExportHandler][] = [
    [
      'traces',
      async (tenantId, body) => {
        const outcome = await distributor.pushTraces(tenantId, body);
        return partialSuccessFor('traces', outcome.rejectedSpans, outcome.message);
      },
    ],
  ];
  for (const signal of ['logs', 'metrics'] as const) {
    const sink = sinks[signal];
    if (!sink) continue;
    handlers.push([
      signal,
      async (tenantId, body) => {
        const outcome = await sink.push(tenantId, body);
        return partialSuccessFor(signal, outcome.rejected, outcome.message);
      },
    ]);
  }
  return handlers;
}
