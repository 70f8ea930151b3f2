import type { Prefilter } from '../search-model/prefilter';
import type { QueryFields } from '../search-model/search-query';
import type { AttributeValue } from '../search-model/search-trace';
import { attributeColumn, COLUMN } from '../store/search/search-layout';
import type { SearchSummary } from '../store/search/search-summary';
import { ALL_COLUMNS, type ColumnNeeds } from '../store/search/sidecar-traces';

/** The attributes and optional columns a query's fields ask for. */
export function columnNeedsOf(fields: QueryFields): ColumnNeeds {
  if (fields.allAttributes) return ALL_COLUMNS;
  const spanKeys = new Set<string>();
  const resourceKeys = new Set<string>();
  let statusMessage = false;
  for (const ref of fields.refs) {
    if (ref.scope === 'span' || ref.scope === 'unscoped') spanKeys.add(ref.name);
    if (ref.scope === 'resource' || ref.scope === 'unscoped') resourceKeys.add(ref.name);
    if (ref.scope === 'intrinsic' && ref.name === 'statusMessage') {
      statusMessage = true;
    }
  }
  return { spanKeys, resourceKeys, statusMessage, events: fields.events, links: fields.links };
}

/** A column whose values can pick a query's candidate rows: "some span has column = value". */
export interface Narrowing {
  column: string;
  matches(value: unknown): boolean;
}

/**
 * A conjunct of the prefilter that one column of this block can test row by row: an equality on
 * an attribute with a dedicated column, a span name or a status. Reading that column first lets
 * a search for a rare value materialize only the traces that hold it.
 */
export function narrowingFor(prefilter: Prefilter, summary: SearchSummary): Narrowing | undefined {
  const conjuncts = prefilter.kind === 'and' ? prefilter.items : [prefilter];
  for (const item of conjuncts) {
    if (item.kind !== 'span' || item.op !== '=' || item.value === null) continue;
    const { field, value } = item;
    if (field.scope === 'span' || field.scope === 'resource') {
      const key = summary.attributes[field.scope][field.name];
      // A key with values in the JSON column too cannot be narrowed by its column alone.
      if (key?.column === attributeColumn(field.scope, field.name) && !key.alsoInJson) {
        return { column: key.column, matches: equals(value) };
      }
    } else if (field.scope === 'intrinsic') {
      if (field.name === 'name' && typeof value === 'string') {
        return { column: COLUMN.name, matches: equals(value) };
      }
      if (field.name === 'status' && typeof value === 'number') {
        return { column: COLUMN.statusCode, matches: equals(value) };
      }
    }
  }
  return undefined;
}

/** Parquet hands INT64 columns back as bigint; TraceQL numbers are doubles. */
function equals(wanted: AttributeValue): (value: unknown) => boolean {
  if (typeof wanted === 'number')
    return (value) => (typeof value === 'bigint' ? Number(value) : value) === wanted;
  return (value) => value === wanted;
}
