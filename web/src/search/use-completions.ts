import { useMemo } from 'react';
import type { TimeRange } from '../state/time-range';
import type { TagValue } from './search-api';
import { quoteTraceQL } from './traceql-build';
import {
  type CompletionContext,
  DURATION_EXAMPLES,
  INTRINSICS,
  KIND_VALUES,
  OPERATORS,
  SCOPES,
  STATUS_VALUES,
  scopeOf,
} from './traceql-complete';
import { useTagNames, useTagValues } from './use-search';

export interface CompletionOption {
  /** What the list shows and typing filters on. */
  label: string;
  /** What accepting it puts in place of the typed part. */
  insert: string;
  /** A hint shown beside it: scope, intrinsic, value type. */
  detail: string;
}

const MAX_OPTIONS = 50;

/** Values the server has no list for (or that are a fixed set), by intrinsic. */
const FIXED_VALUES: Record<string, readonly string[]> = {
  status: STATUS_VALUES,
  kind: KIND_VALUES,
  duration: DURATION_EXAMPLES,
  traceDuration: DURATION_EXAMPLES,
};

/** Options whose label matches what is typed: those starting with it first, then those containing it. */
function filterOptions(all: readonly CompletionOption[], typed: string, exact: string): CompletionOption[] {
  const needle = typed.toLowerCase();
  const starts = all.filter((o) => o.label.toLowerCase().startsWith(needle));
  const contains = needle
    ? all.filter((o) => !o.label.toLowerCase().startsWith(needle) && o.label.toLowerCase().includes(needle))
    : [];
  // An option that is exactly what is already there completes nothing.
  return [...starts, ...contains].filter((o) => o.insert.trimEnd() !== exact).slice(0, MAX_OPTIONS);
}

function valueOption(value: TagValue, forceQuotes: boolean): CompletionOption {
  const quoted = forceQuotes || value.type === 'string';
  return {
    label: value.value,
    insert: `${quoted ? quoteTraceQL(value.value) : value.value} `,
    detail: value.type,
  };
}

/**
 * The completion list for a context, asking the tags API for what it needs (attribute names of a
 * scope, values of an attribute) the first time it is needed.
 */
export function useCompletionOptions(
  context: CompletionContext | null,
  range: TimeRange,
  tenant: string,
): CompletionOption[] {
  const scope = context?.kind === 'attribute' ? scopeOf(context.prefix) : '';
  const firstScope = scope === 'unscoped' ? 'span' : scope || undefined;
  const spanOrScopeNames = useTagNames(firstScope, range, tenant);
  const resourceNames = useTagNames(scope === 'unscoped' ? 'resource' : undefined, range, tenant);
  const valuesOf =
    context?.kind === 'value' && !(context.attribute in FIXED_VALUES) ? context.attribute : undefined;
  const values = useTagValues(valuesOf, range, tenant);

  return useMemo(() => {
    if (!context) return [];
    switch (context.kind) {
      case 'attribute': {
        let all: CompletionOption[];
        if (scope === '') {
          all = [
            ...SCOPES.map((s) => ({ label: s, insert: s, detail: 'scope' })),
            ...INTRINSICS.map((name) => ({ label: name, insert: `${name} `, detail: 'intrinsic' })),
          ];
        } else if (scope === 'unscoped') {
          const names = new Set([...(spanOrScopeNames.data ?? []), ...(resourceNames.data ?? [])]);
          all = [...names]
            .sort()
            .map((name) => ({ label: `.${name}`, insert: `.${name} `, detail: 'any scope' }));
        } else {
          all = (spanOrScopeNames.data ?? []).map((name) => ({
            label: `${scope}.${name}`,
            insert: `${scope}.${name} `,
            detail: scope,
          }));
        }
        return filterOptions(all, context.prefix, context.prefix);
      }
      case 'operator': {
        const fixed = context.attribute === 'status' || context.attribute === 'kind';
        const ops = fixed ? ['=', '!='] : OPERATORS;
        return filterOptions(
          ops.map((op) => ({ label: op, insert: `${op} `, detail: 'operator' })),
          context.prefix,
          context.prefix,
        );
      }
      case 'value': {
        const fixed = FIXED_VALUES[context.attribute];
        // Fixed sets keep their order (error first); the server's values are sorted, numbers as numbers.
        const all = fixed
          ? fixed.map((v) => valueOption({ type: 'keyword', value: v }, context.quoted))
          : (values.data ?? [])
              .map((v) => valueOption(v, context.quoted))
              .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
        const typed = `${context.quoted ? '"' : ''}${context.prefix}`;
        return filterOptions(all, context.prefix, typed);
      }
      case 'combinator':
        return filterOptions(
          [
            { label: '&&', insert: '&& ', detail: 'and' },
            { label: '||', insert: '|| ', detail: 'or' },
            { label: '}', insert: '}', detail: 'end of filter' },
          ],
          context.prefix,
          context.prefix,
        );
    }
  }, [context, scope, spanOrScopeNames.data, resourceNames.data, values.data]);
}
