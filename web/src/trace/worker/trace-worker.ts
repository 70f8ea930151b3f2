import type { CompiledFilter, Matches } from '../model/filter';
import type { Span } from '../model/types';
import type { HostRequest, HostResults, LoadResult, TraceEncoding, TraceHost } from './trace-host';

export type TraceBody = ArrayBuffer | string;

/** The page's handle on the trace worker; every call is asynchronous. */
export interface TraceWorker {
  /** Decodes a trace and keeps it under `key`. A buffer is transferred to the worker, not copied. */
  load(key: string, body: TraceBody, encoding: TraceEncoding): Promise<LoadResult>;
  span(key: string, index: number): Promise<Span>;
  match(key: string, filter: CompiledFilter): Promise<Matches>;
  /** The JSON text the trace was loaded from. */
  raw(key: string): Promise<string>;
  drop(key: string): void;
}

type Call = <T extends HostRequest>(request: T, transfer?: Transferable[]) => Promise<HostResults[T['type']]>;

function api(call: Call): TraceWorker {
  return {
    load: (key, body, encoding) =>
      call(
        { type: 'load', key, body, encoding },
        typeof body === 'string' ? [] : [body],
      ) as Promise<LoadResult>,
    span: (key, index) => call({ type: 'span', key, index }) as Promise<Span>,
    match: (key, filter) => call({ type: 'match', key, filter }) as Promise<Matches>,
    raw: (key) => call({ type: 'raw', key }) as Promise<string>,
    drop: (key) => void call({ type: 'drop', key }),
  };
}

function workerBacked(worker: Worker): TraceWorker {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  worker.onmessage = (
    event: MessageEvent<{ id: number; ok: boolean; result?: unknown; message?: string }>,
  ) => {
    const call = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (event.data.ok) call?.resolve(event.data.result);
    else call?.reject(new Error(event.data.message));
  };
  worker.onerror = (event) => {
    for (const call of pending.values()) call.reject(new Error(event.message || 'the trace worker failed'));
    pending.clear();
  };
  const call: Call = (request, transfer = []) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request }, transfer);
    });
  return api(call);
}

/**
 * Same interface, same code, on the calling thread: for environments without workers (tests).
 * The decoder is imported on first use, so the page's own bundle does not carry it.
 */
export function inThread(host?: TraceHost): TraceWorker {
  const ready = host ? Promise.resolve(host) : import('./trace-host').then((m) => new m.TraceHost());
  return api(async (request) => (await ready).handle(request) as Promise<never>);
}

let instance: TraceWorker | undefined;

/**
 * The app's one trace worker: the one index.html started (`started`, taken over at boot), or one
 * started on first use.
 */
export function getTraceWorker(started?: Worker): TraceWorker {
  if (!instance) {
    instance =
      typeof Worker === 'undefined'
        ? inThread()
        : workerBacked(
            started ??
              new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'loupe-traces' }),
          );
  }
  return instance;
}
