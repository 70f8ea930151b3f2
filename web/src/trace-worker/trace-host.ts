import { buildTraceModel, type TraceModel } from '../trace-model/build-model';
import { type CompiledFilter, type Matches, matchSpans } from '../trace-model/filter';
import { type TraceLayout, toLayout } from '../trace-model/layout';
import { parseTraceJson, TraceFormatError } from '../trace-model/parse-trace-json';
import type { Span } from '../trace-model/types';

/** Requests the page sends to the trace worker. */
export type HostRequest =
  | { type: 'load'; key: string; body: ArrayBuffer | string | ReadableStream<Uint8Array> }
  | { type: 'span'; key: string; index: number }
  | { type: 'match'; key: string; filter: CompiledFilter }
  | { type: 'raw'; key: string }
  | { type: 'drop'; key: string };

export type LoadResult =
  | { status: 'found'; layout: TraceLayout }
  | { status: 'empty' }
  | { status: 'invalid'; message: string };

export interface HostResults {
  load: LoadResult;
  span: Span;
  match: Matches;
  raw: string;
  drop: null;
}

/**
 * Holds whole traces (model and original JSON text) off the main thread and answers questions
 * about them. Runs inside the trace worker, or in the page where workers do not exist (tests).
 */
export class TraceHost {
  private readonly traces = new Map<string, { model: TraceModel; rawJson: string }>();

  async handle(request: HostRequest): Promise<HostResults[HostRequest['type']]> {
    switch (request.type) {
      case 'load': {
        const { body } = request;
        return this.load(request.key, typeof body === 'string' || body instanceof ArrayBuffer ? body : await new Response(body).text());
      }
      case 'span':
        return this.get(request.key).model.spans[request.index];
      case 'match':
        return matchSpans(this.get(request.key).model, request.filter);
      case 'raw':
        return this.get(request.key).rawJson;
      case 'drop':
        this.traces.delete(request.key);
        return null;
    }
  }

  /** Decodes, parses and lays out a trace; keeps it under `key` for later questions. */
  load(key: string, body: ArrayBuffer | string): LoadResult {
    const rawJson = typeof body === 'string' ? body : new TextDecoder().decode(body);
    let json: unknown;
    try {
      json = JSON.parse(rawJson);
    } catch {
      return { status: 'invalid', message: 'This is not valid JSON.' };
    }
    try {
      const parsed = parseTraceJson(json);
      if (parsed.spans.length === 0) return { status: 'empty' };
      const model = buildTraceModel(parsed);
      this.traces.set(key, { model, rawJson });
      return { status: 'found', layout: toLayout(model) };
    } catch (err) {
      if (err instanceof TraceFormatError) return { status: 'invalid', message: err.message };
      throw err;
    }
  }

  private get(key: string) {
    const trace = this.traces.get(key);
    if (!trace) throw new Error(`trace ${key} is no longer loaded`);
    return trace;
  }
}
