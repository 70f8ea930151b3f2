/** An OTLP AnyValue as protobufjs decodes it (only the set field is present). */
export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | { toString(): string } | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

function has<K extends keyof AnyValue>(value: AnyValue, key: K): boolean {
  return value[key] !== undefined && value[key] !== null && Object.hasOwn(value, key);
}

/**
 * The plain JS value of an AnyValue (for JSON bodies); 64-bit ints stay exact as strings when needed.
 * Recursive, and safely so: the decoder refuses deeper nesting first (protobufjs past 100
 * messages, OTLP/JSON past `MAX_NESTING`).
 */
export function anyValueToJs(value: AnyValue | null | undefined): unknown {
  if (!value) return null;
  if (has(value, 'stringValue')) return value.stringValue;
  if (has(value, 'boolValue')) return value.boolValue;
  if (has(value, 'intValue')) {
    const n = Number(value.intValue!.toString());
    return Number.isSafeInteger(n) ? n : value.intValue!.toString();
  }
  if (has(value, 'doubleValue')) return value.doubleValue;
  if (has(value, 'bytesValue')) return Buffer.from(value.bytesValue!).toString('base64');
  if (has(value, 'arrayValue')) return (value.arrayValue!.values ?? []).map(anyValueToJs);
  if (has(value, 'kvlistValue')) {
    const out: Record<string, unknown> = {};
    for (const kv of value.kvlistValue!.values ?? []) out[kv.key ?? ''] = anyValueToJs(kv.value);
    return out;
  }
  return null;
}

/** A log line or label value: strings as they are, everything else as JSON. */
export function anyValueToString(value: AnyValue | null | undefined): string {
  const js = anyValueToJs(value);
  if (typeof js === 'string') return js;
  if (js === null) return '';
  if (typeof js === 'number' || typeof js === 'boolean') return String(js);
  return JSON.stringify(js);
}
