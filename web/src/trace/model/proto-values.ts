import type { TraceWireReader } from './trace-wire-reader';
import type { AnyValue, KeyValue } from './types';

/** A repeated KeyValue field (tag `tagOfList`) of a message ending at `end`; other fields skipped. */
export function readKeyValues(r: TraceWireReader, end: number, tagOfList: number): KeyValue[] {
  const list: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.uint();
    if (tag === tagOfList) list.push(readKeyValue(r, r.lengthEnd()));
    else r.skip(tag & 7);
  }
  return list;
}

/** An OTLP KeyValue: `key` = 1, `value` = 2. */
export function readKeyValue(r: TraceWireReader, end: number): KeyValue {
  let key = '';
  let value: AnyValue | undefined;
  while (r.pos < end) {
    const tag = r.uint();
    if (tag === 0x0a) key = r.string();
    else if (tag === 0x12) value = readAnyValue(r, r.lengthEnd());
    else r.skip(tag & 7);
  }
  return value === undefined ? { key } : { key, value };
}

/** An OTLP AnyValue, as the proto JSON mapping writes it. Nesting follows the data (arrays, maps). */
export function readAnyValue(r: TraceWireReader, end: number): AnyValue {
  let value: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint();
    switch (tag) {
      case 0x0a:
        value = { stringValue: r.string() };
        break;
      case 0x10:
        value = { boolValue: r.uint() !== 0 };
        break;
      case 0x18:
        value = { intValue: r.int64() };
        break;
      case 0x21:
        value = { doubleValue: r.double() };
        break;
      case 0x2a: {
        const listEnd = r.lengthEnd();
        const values: AnyValue[] = [];
        while (r.pos < listEnd) {
          const t = r.uint();
          if (t === 0x0a) values.push(readAnyValue(r, r.lengthEnd()));
          else r.skip(t & 7);
        }
        value = { arrayValue: { values } };
        break;
      }
      case 0x32:
        value = { kvlistValue: { values: readKeyValues(r, r.lengthEnd(), 0x0a) } };
        break;
      case 0x3a:
        value = { bytesValue: r.base64() };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return value;
}
