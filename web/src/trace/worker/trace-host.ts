import { buildTraceModel, type TraceModel } from '../model/build-model';
import { type CompiledFilter, type Matches, matchSpans } from '../model/filter';
import { type TraceLayout, toLayout } from '../model/layout';
import { parseTraceByIdResponseDeferred } from '../model/parse-otlp-proto';
import { parseTraceJson, TraceFormatError } from '../model/parse-trace-json';
import { toTempoJson } from '../model/to-tempo-json';
import { ProtoError } from '../model/trace-wire-reader';
import type { ParsedTrace, Span } from '../model/types';

/** How a trace's bytes are encoded: JSON (any shape the UI reads) or Tempo's protobuf answer. */
export type TraceEncoding = 'json' | 'protobuf';

/** Requests the page sends to the trace worker. */
export type HostRequest =
  | { type: 'load'; key: string; body: ArrayBuffer | string; encoding: TraceEncoding }
  | { type: 'span'; key: string; index: number }
  | { type: 'match'; key: string; filter: CompiledFilter }
  | { type: 'raw'; key: string }
  | { type: 'drop'; key: string };

/** Milliseconds the worker spent on each step of a load, for diagnostics (`performance` marks). */
export interface LoadTimings {
  decode: number;
  tree: number;
  layout: number;
}

export type LoadResult =
  | { status: 'found'; layout: TraceLayout; timings: LoadTimings }
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
 * How long after a protobuf load its span attributes are decoded, in the background: well after
 * the page has had the layout and painted the first rows (on two cores, decoding sooner competes
 * with that first render). Anything that needs them sooner (details, a filter, the download)
 * decodes them first.
 */
const COMPLETE_AFTER_MS = 1000;

interface HeldTrace {
  model: TraceModel;
  parsed: ParsedTrace;
  rawJson?: string;
  /** Decodes the span attributes the first decode left out (protobuf loads); cleared once run. */
  complete?: () => void;
}

/**
 * Holds whole traces (model and original JSON text) off the main thread and answers questions
 * about them. Runs inside the trace worker, or in the page where workers do not exist (tests).
 */
export class TraceHost {
  private readonly traces = new Map<string, HeldTrace>();

  async handle(request: HostRequest): Promise<HostResults[HostRequest['type']]> {
    switch (request.type) {
      case 'load':
        return this.load(request.key, request.body, request.encoding);
      case 'span':
        return this.get(request.key).model.spans[request.index];
      case 'match':
        return matchSpans(this.get(request.key).model, request.filter);
      case 'raw': {
        const trace = this.get(request.key);
        return trace.rawJson ?? toTempoJson(trace.parsed);
      }
      case 'drop':
        this.traces.delete(request.key);
        return null;
    }
  }

  /** Decodes, parses and lays out a trace; keeps it under `key` for later questions. */
  load(key: string, body: ArrayBuffer | string, encoding: TraceEncoding = 'json'): LoadResult {
    const marks = [performance.now()];
    let parsed: ParsedTrace;
    let rawJson: string | undefined;
    let complete: (() => void) | undefined;
    try {
      if (encoding === 'protobuf') {
        // The first paint needs no span attributes: they are decoded later (see COMPLETE_AFTER_MS).
        ({ parsed, completeAttributes: complete } = parseTraceByIdResponseDeferred(
          typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body),
        ));
      } else {
        rawJson = typeof body === 'string' ? body : new TextDecoder().decode(body);
        parsed = parseTraceJson(JSON.parse(rawJson));
      }
    } catch (err) {
      if (err instanceof SyntaxError) return { status: 'invalid', message: 'This is not valid JSON.' };
      if (err instanceof TraceFormatError || err instanceof ProtoError)
        return { status: 'invalid', message: err.message };
      throw err;
    }
    if (parsed.spans.length === 0) return { status: 'empty' };
    marks.push(performance.now());
    const model = buildTraceModel(parsed);
    marks.push(performance.now());
    const held: HeldTrace = { model, parsed, rawJson, complete };
    this.traces.set(key, held);
    if (complete) setTimeout(() => this.complete(held), COMPLETE_AFTER_MS);
    const layout = toLayout(model);
    marks.push(performance.now());
    const step = (i: number) => Math.round(marks[i + 1] - marks[i]);
    return { status: 'found', layout, timings: { decode: step(0), tree: step(1), layout: step(2) } };
  }

  private get(key: string): HeldTrace {
    const trace = this.traces.get(key);
    if (!trace) throw new Error(`trace ${key} is no longer loaded`);
    this.complete(trace);
    return trace;
  }

  private complete(trace: HeldTrace) {
    const complete = trace.complete;
    trace.complete = undefined;
    complete?.();
  }
}
