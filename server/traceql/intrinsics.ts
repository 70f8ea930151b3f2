import type { FieldRef } from './ast';

/**
 * Static types of TraceQL values, as Tempo's validator knows them (`StaticType`). `dynamic` is an
 * attribute, whose type is known only per span. `int`, `float` and `duration` are the numeric
 * types and compare with each other.
 */
export type ValueType =
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'duration'
  | 'status'
  | 'kind'
  | 'nil'
  | 'dynamic';

export interface IntrinsicInfo {
  readonly ref: FieldRef;
  readonly type: ValueType;
  /** Read from each event or link of the span; a condition holds if it holds for one of them. */
  readonly many?: 'event' | 'link';
  /** Hex IDs: literals compared with them are normalised to this many digits. */
  readonly idWidth?: number;
  /** Needs the trace's parent/child links. */
  readonly structural?: boolean;
}

function intrinsic(name: string, type: ValueType, extra: Partial<IntrinsicInfo> = {}): IntrinsicInfo {
  return { ref: { scope: 'intrinsic', name }, type, ...extra };
}

function traceLevel(name: string, type: ValueType, extra: Partial<IntrinsicInfo> = {}): IntrinsicInfo {
  return { ref: { scope: 'trace', name }, type, ...extra };
}

/** Every intrinsic Loupe evaluates, by canonical name (Tempo's `Intrinsic.String()`). */
export const INTRINSICS: ReadonlyMap<string, IntrinsicInfo> = new Map(
  [
    intrinsic('name', 'string'),
    intrinsic('status', 'status'),
    intrinsic('statusMessage', 'string'),
    intrinsic('kind', 'kind'),
    intrinsic('duration', 'duration'),
    intrinsic('span:id', 'string', { idWidth: 16 }),
    intrinsic('span:parentID', 'string', { idWidth: 16 }),
    intrinsic('span:childCount', 'int', { structural: true }),
    intrinsic('event:name', 'string', { many: 'event' }),
    intrinsic('event:timeSinceStart', 'duration', { many: 'event' }),
    intrinsic('link:traceID', 'string', { many: 'link', idWidth: 32 }),
    intrinsic('link:spanID', 'string', { many: 'link', idWidth: 16 }),
    traceLevel('rootName', 'string'),
    traceLevel('rootServiceName', 'string'),
    traceLevel('traceDuration', 'duration'),
    traceLevel('trace:id', 'string', { idWidth: 32 }),
  ].map((info) => [info.ref.name, info]),
);

/** Intrinsics written without a scope (Tempo's older spelling); their canonical names. */
export const BARE_INTRINSICS: ReadonlyMap<string, string> = new Map([
  ['duration', 'duration'],
  ['name', 'name'],
  ['status', 'status'],
  ['statusMessage', 'statusMessage'],
  ['kind', 'kind'],
  ['rootName', 'rootName'],
  ['rootServiceName', 'rootServiceName'],
  ['traceDuration', 'traceDuration'],
]);

/** `scope:name` intrinsics (Tempo's newer spelling) by scope; their canonical names. */
export const SCOPED_INTRINSICS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'span',
    new Map([
      ['name', 'name'],
      ['status', 'status'],
      ['statusMessage', 'statusMessage'],
      ['kind', 'kind'],
      ['duration', 'duration'],
      ['id', 'span:id'],
      ['parentID', 'span:parentID'],
      ['childCount', 'span:childCount'],
    ]),
  ],
  [
    'trace',
    new Map([
      ['rootName', 'rootName'],
      ['rootService', 'rootServiceName'],
      ['duration', 'traceDuration'],
      ['id', 'trace:id'],
    ]),
  ],
  [
    'event',
    new Map([
      ['name', 'event:name'],
      ['timeSinceStart', 'event:timeSinceStart'],
    ]),
  ],
  [
    'link',
    new Map([
      ['traceID', 'link:traceID'],
      ['spanID', 'link:spanID'],
    ]),
  ],
]);

/** The intrinsic a ref names, or undefined for an attribute. */
export function intrinsicOf(ref: FieldRef): IntrinsicInfo | undefined {
  return ref.scope === 'intrinsic' || ref.scope === 'trace' ? INTRINSICS.get(ref.name) : undefined;
}

export function fieldType(ref: FieldRef): ValueType {
  return intrinsicOf(ref)?.type ?? 'dynamic';
}

/** Whether a field is read from events or links (any of them may satisfy a condition). */
export function fieldMany(ref: FieldRef): 'event' | 'link' | undefined {
  if (ref.scope === 'event' || ref.scope === 'link') return ref.scope;
  return intrinsicOf(ref)?.many;
}

export function isNumericType(type: ValueType): boolean {
  return type === 'int' || type === 'float' || type === 'duration';
}
