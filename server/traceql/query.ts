import type { AttributeValue, SearchSpan, SearchTrace } from '../search-model/search-trace';
import type { Pipeline } from './ast';
import { forEachIndex, type WorkSet } from './compile-aggregate';
import { compileField, type EvalContext, firstValue, formatValue, outputKey } from './compile-field';
import { compilePipeline } from './compile-pipeline';
import { fieldType } from './intrinsics';
import { parseQuery } from './parser';
import { buildPrefilter, type Prefilter } from './prefilter';
import { type QueryFields, queryFields } from './query-fields';
import { buildStructure, type TraceStructure } from './structure';

export interface SpanSetMatch {
  /** All spans of the set (the caller cuts to spss); each with the attributes the query names or select()s. */
  spans: { span: SearchSpan; attributes: { key: string; value: AttributeValue }[] }[];
  /** Number of spans in the set (Tempo's `matched`). */
  matched: number;
  /** Values computed by the pipeline: by() groups and aggregates, named as Tempo names them (e.g. `by(resource.service.name)`, `count()`, `avg(duration)`). */
  attributes: { key: string; value: AttributeValue }[];
}

export interface TraceQLQuery {
  readonly text: string;
  readonly ast: Pipeline;
  /** Span sets this trace yields; [] when the trace does not match. */
  evaluate(trace: SearchTrace): SpanSetMatch[];
  /** What the query reads, so storage reads only those columns. */
  readonly fields: QueryFields;
  /** A necessary condition: a trace can only match if it holds. Used to skip blocks and rows without evaluating. */
  readonly prefilter: Prefilter;
  /** `with (most_recent=true)` and other hints, parsed; unknown hints are accepted and ignored. */
  readonly hints: ReadonlyMap<string, string | number | boolean>;
}

/**
 * Intrinsics Tempo leaves out of a result span's attributes (`asTraceSearchMetadata`): the span
 * carries them itself (name, duration, ID) or they are the trace's.
 */
const NOT_OUTPUT = new Set([
  'name',
  'duration',
  'span:id',
  'trace:id',
  'rootName',
  'rootServiceName',
  'traceDuration',
]);

const INITIAL: readonly WorkSet[] = Object.freeze([Object.freeze({ idx: null, attrs: Object.freeze([]) })]);

/** Parses and compiles a TraceQL search query; throws `TraceQLParseError`. */
export function parseTraceQL(text: string): TraceQLQuery {
  const { ast, hints } = parseQuery(text);
  const fields = queryFields(ast);
  const run = compilePipeline(ast);
  const outputs = fields.refs
    .filter((ref) => !((ref.scope === 'intrinsic' || ref.scope === 'trace') && NOT_OUTPUT.has(ref.name)))
    .map((ref) => ({ key: outputKey(ref), field: compileField(ref), type: fieldType(ref) }));

  const attributesOf = (span: SearchSpan, index: number, ctx: EvalContext) => {
    const out: { key: string; value: AttributeValue }[] = [];
    for (const { key, field, type } of outputs) {
      const value = firstValue(field, span, index, ctx);
      if (value !== undefined) out.push({ key, value: formatValue(value, type) });
    }
    return out;
  };

  return {
    text,
    ast,
    fields,
    prefilter: buildPrefilter(ast),
    hints,
    evaluate(trace) {
      if (trace.spans.length === 0) return [];
      const ctx = new TraceContext(trace);
      const sets = run(INITIAL, ctx);
      return sets.map((set) => {
        const spans: SpanSetMatch['spans'] = [];
        forEachIndex(set.idx, ctx, (i) => {
          const span = ctx.spans[i];
          spans.push({ span, attributes: attributesOf(span, i, ctx) });
        });
        return { spans, matched: spans.length, attributes: set.attrs.map((a) => ({ ...a })) };
      });
    },
  };
}

class TraceContext implements EvalContext {
  readonly spans: readonly SearchSpan[];
  private built: TraceStructure | undefined;

  constructor(readonly trace: SearchTrace) {
    this.spans = trace.spans;
  }

  structure(): TraceStructure {
    this.built ??= buildStructure(this.spans);
    return this.built;
  }
}
