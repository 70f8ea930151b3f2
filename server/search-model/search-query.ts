import type { FieldRef, Prefilter } from './prefilter';
import type { AttributeValue, SearchSpan, SearchTrace } from './search-trace';

/** A span set a query yields for one trace (Tempo's `spanSet`). */
export interface SpanSetMatch {
  /** Every span of the set, with the attributes the query names or selects; callers cut to `spss`. */
  spans: { span: SearchSpan; attributes: { key: string; value: AttributeValue }[] }[];
  /** Spans in the set (Tempo's `matched`). */
  matched: number;
  /** Values the pipeline computed: `by()` groups and aggregates. */
  attributes: { key: string; value: AttributeValue }[];
}

/** What a query reads, so storage reads only those columns. */
export interface QueryFields {
  refs: FieldRef[];
  structural: boolean;
  events: boolean;
  links: boolean;
  /** Read every attribute, event and link (tag-name questions want all keys of matching spans). */
  allAttributes?: boolean;
}

/** A compiled query as search runs it: TraceQL's `parseTraceQL` returns one. */
export interface SearchQuery {
  evaluate(trace: SearchTrace): SpanSetMatch[];
  readonly fields: QueryFields;
  readonly prefilter: Prefilter;
}
