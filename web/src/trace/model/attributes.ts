import type { AnyValue, KeyValue } from './types';

/** Renders an OTLP value as text: scalars as is, arrays and maps as compact JSON-like text. */
export function anyValueToString(value: AnyValue | undefined): string {
  if (!value) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return String(value.intValue);
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return `[${(value.arrayValue.values ?? []).map(nestedToString).join(', ')}]`;
  if (value.kvlistValue) {
    const entries = (value.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${nestedToString(kv.value)}`);
    return `{${entries.join(', ')}}`;
  }
  return '';
}

function nestedToString(value: AnyValue | undefined): string {
  if (value?.stringValue !== undefined) return JSON.stringify(value.stringValue);
  return anyValueToString(value);
}

/** The value of the first attribute named `key`, as text, or undefined. */
export function attributeText(attributes: readonly KeyValue[], key: string): string | undefined {
  for (const kv of attributes) {
    if (kv.key === key) return anyValueToString(kv.value);
  }
  return undefined;
}

/** True when the value is the boolean `true` or the string "true" (Jaeger's `error` tag). */
export function isTruthyValue(value: AnyValue | undefined): boolean {
  return value?.boolValue === true || value?.stringValue === 'true';
}
