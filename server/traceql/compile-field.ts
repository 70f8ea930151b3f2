import type {
  AttributeValue,
  SearchEvent,
  SearchLink,
  SearchSpan,
  SearchTrace,
} from '../search-model/search-trace';
import type { FieldRef } from './ast';
import { intrinsicOf, type ValueType } from './intrinsics';
import { formatGoDuration, KIND_NAMES, STATUS_NAMES } from './literals';
import type { TraceStructure } from './structure';

/** A field's value on one span; undefined is TraceQL's nil (the attribute is missing). */
export type Value = AttributeValue | undefined;

/** What evaluation of one trace shares: the trace, and its parent/child links once asked for. */
export interface EvalContext {
  readonly trace: SearchTrace;
  readonly spans: readonly SearchSpan[];
  structure(): TraceStructure;
}

/** Reads a single-valued field of the span at `index`. */
export type Getter = (span: SearchSpan, index: number, ctx: EvalContext) => Value;

/**
 * A compiled field. Event and link fields have one value per event or link: a condition holds on
 * the span if it holds for one of them (`{ event.exception.type = "x" }`).
 */
export type CompiledField =
  | { many: undefined; get: Getter }
  | { many: 'event'; get: (event: SearchEvent, span: SearchSpan) => Value }
  | { many: 'link'; get: (link: SearchLink, span: SearchSpan) => Value };

/** Statuses and kinds are read as their OTLP numbers, durations as nanoseconds. */
export function compileField(ref: FieldRef): CompiledField {
  const { scope, name } = ref;
  switch (scope) {
    case 'span':
      return single((s) => s.attributes.get(name));
    case 'resource':
      return single(resourceGetter(name));
    case 'unscoped': {
      const resource = resourceGetter(name);
      return single((s) => s.attributes.get(name) ?? resource(s));
    }
    case 'event':
      return { many: 'event', get: (e) => e.attributes.get(name) };
    case 'link':
      return { many: 'link', get: (l) => l.attributes.get(name) };
    default:
      return compileIntrinsic(name);
  }
}

function single(get: Getter): CompiledField {
  return { many: undefined, get };
}

/**
 * `resource.service.name` also falls back to `SearchSpan.serviceName`, in case a producer of
 * search traces keeps the service only there.
 */
function resourceGetter(name: string): (span: SearchSpan) => Value {
  if (name === 'service.name')
    return (s) => s.resource.get(name) ?? (s.serviceName === '' ? undefined : s.serviceName);
  return (s) => s.resource.get(name);
}

function compileIntrinsic(name: string): CompiledField {
  switch (name) {
    case 'name':
      return single((s) => s.name);
    case 'status':
      return single((s) => s.statusCode);
    case 'statusMessage':
      return single((s) => s.statusMessage);
    case 'kind':
      return single((s) => s.kind);
    case 'duration':
      return single((s) => s.durationNanos);
    case 'span:id':
      return single((s) => s.spanId);
    case 'span:parentID':
      return single((s) => s.parentSpanId);
    case 'span:childCount':
      return single((_s, i, ctx) => ctx.structure().childCount[i]);
    case 'event:name':
      return { many: 'event', get: (e) => e.name };
    case 'event:timeSinceStart':
      return { many: 'event', get: (e, s) => Number(e.timeUnixNano - s.startUnixNano) };
    case 'link:traceID':
      return { many: 'link', get: (l) => l.traceId };
    case 'link:spanID':
      return { many: 'link', get: (l) => l.spanId };
    case 'rootName':
      return single((_s, _i, ctx) => ctx.trace.rootName);
    case 'rootServiceName':
      return single((_s, _i, ctx) => ctx.trace.rootServiceName);
    case 'traceDuration':
      return single((_s, _i, ctx) => ctx.trace.durationNanos);
    case 'trace:id':
      return single((_s, _i, ctx) => ctx.trace.traceId);
    default:
      throw new Error(`unknown intrinsic ${name}`); // the lexer and parser only make known ones
  }
}

/** Whether `test` holds for a value of the field on the span (for one event or link of it, if many). */
export function anyValue(
  field: CompiledField,
  span: SearchSpan,
  index: number,
  ctx: EvalContext,
  test: (value: Value) => boolean,
): boolean {
  switch (field.many) {
    case undefined:
      return test(field.get(span, index, ctx));
    case 'event':
      for (const event of span.events) if (test(field.get(event, span))) return true;
      return false;
    case 'link':
      for (const link of span.links) if (test(field.get(link, span))) return true;
      return false;
  }
}

/** The field's value on the span (the first event's or link's that has it, if many). */
export function firstValue(field: CompiledField, span: SearchSpan, index: number, ctx: EvalContext): Value {
  switch (field.many) {
    case undefined:
      return field.get(span, index, ctx);
    case 'event':
      for (const event of span.events) {
        const value = field.get(event, span);
        if (value !== undefined) return value;
      }
      return undefined;
    case 'link':
      for (const link of span.links) {
        const value = field.get(link, span);
        if (value !== undefined) return value;
      }
      return undefined;
  }
}

/** A value as Tempo writes it into a response: statuses and kinds by name, durations as Go does. */
export function formatValue(value: AttributeValue, type: ValueType): AttributeValue {
  if (typeof value !== 'number') return value;
  if (type === 'status') return STATUS_NAMES[value] ?? String(value);
  if (type === 'kind') return KIND_NAMES[value] ?? String(value);
  if (type === 'duration') return formatGoDuration(value);
  return value;
}

/** The key a field's value has in a response: the name without its scope, as Tempo's `Attribute.Name`. */
export function outputKey(ref: FieldRef): string {
  return intrinsicOf(ref)?.ref.name ?? ref.name;
}
