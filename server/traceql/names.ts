import type { Aggregate, FieldRef } from './ast';
import { intrinsicOf } from './intrinsics';
import { isAttributeChar } from './lexer';

/**
 * A field as Tempo prints it (`Attribute.String()`): `resource.service.name`, `.foo`, `duration`,
 * `span:id`; a name that could not be read back unquoted is quoted (`span."a b"`). These names
 * key the values a pipeline computes: `by(resource.service.name)`, `avg(duration)`.
 */
export function fieldName(ref: FieldRef): string {
  const intrinsic = intrinsicOf(ref);
  if (intrinsic) return intrinsic.ref.name;
  const prefix = ref.scope === 'unscoped' ? '.' : `${ref.scope}.`;
  return prefix + quoteAttributeName(ref.name);
}

function quoteAttributeName(name: string): string {
  const plain = [...name].every((ch) => ch !== '"' && isAttributeChar(ch));
  return plain ? name : `"${name.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** `count()`, `avg(duration)`, `sum(span.bytes)`. */
export function aggregateName(aggregate: Aggregate): string {
  return `${aggregate.fn}(${aggregate.field ? fieldName(aggregate.field) : ''})`;
}
