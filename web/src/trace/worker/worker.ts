/// <reference lib="webworker" />
import { type HostRequest, TraceHost } from './trace-host';

/** The trace worker: JSON parsing, tree building and filtering, off the page's main thread. */
const host = new TraceHost();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<{ id: number; request: HostRequest }>) => {
  const { id, request } = event.data;
  try {
    const result = await host.handle(request);
    const transfer =
      request.type === 'match' && result && typeof result === 'object' && 'indices' in result
        ? [result.matches.buffer as ArrayBuffer, result.indices.buffer as ArrayBuffer]
        : [];
    scope.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    scope.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
