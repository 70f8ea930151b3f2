import protobuf from 'protobufjs';
import { OtlpDecodeError } from './errors';
import { asBuffer, ProtoReader, WIRE_LEN } from './wire';

/**
 * protobufjs makes a JS object of every message it decodes, some 70 bytes each, and the logs and
 * metrics ingest then makes more per record or data point: 20 MiB of empty messages (two bytes
 * each, a 20 KB gzip body) would be 10 million objects, gigabytes and half a minute of a blocked
 * event loop. So the requests those paths decode with protobufjs are first counted, walking the
 * bytes by the type's schema without decoding anything, and refused past a budget. The budgets sit
 * well above what a 20 MiB request of real records holds (a few hundred thousand records of some
 * 200 bytes, 8 to 10 messages each).
 */
export const MAX_DECODED_MESSAGES = 2_000_000;
/** Log records, Loki entries or metric data points: each costs far more than its message once ingested. */
export const MAX_DECODED_ITEMS = 500_000;

/** Deeper than protobufjs decodes (its recursion limit, 100) need not be counted: it refuses them. */
const MAX_WALK_DEPTH = 101;

/** Per type, the message type of each field number that holds a message (undefined for the rest). */
const childTypes = new WeakMap<protobuf.Type, (protobuf.Type | undefined)[]>();

function childrenOf(type: protobuf.Type): (protobuf.Type | undefined)[] {
  let children = childTypes.get(type);
  if (!children) {
    children = [];
    for (const field of type.fieldsArray) {
      field.resolve();
      if (field.resolvedType instanceof protobuf.Type && !field.map) children[field.id] = field.resolvedType;
    }
    childTypes.set(type, children);
  }
  return children;
}

export interface DecodeBudget {
  /** The message type whose instances count as items (log records, entries, data points). */
  items: ReadonlySet<protobuf.Type>;
  /** What the items are called in the refusal ("log records"). */
  itemName: string;
  maxMessages?: number;
  maxItems?: number;
}

/**
 * Throws `OtlpDecodeError` when `body`, read as `type`, holds more messages than `maxMessages` or
 * more items than `maxItems`, or is not well-formed protobuf where it would be walked (a length
 * past its message, a wire type OTLP never uses). Fields are not checked against their declared
 * wire types: a message field of another wire type is skipped, and left to the decoder.
 */
export function checkDecodeBudget(type: protobuf.Type, body: Uint8Array, budget: DecodeBudget): void {
  const maxMessages = budget.maxMessages ?? MAX_DECODED_MESSAGES;
  const maxItems = budget.maxItems ?? MAX_DECODED_ITEMS;
  const r = new ProtoReader(asBuffer(body));
  let messages = 0;
  let items = 0;
  const walk = (message: protobuf.Type, end: number, depth: number): void => {
    const children = childrenOf(message);
    while (r.pos < end) {
      const tag = r.tag(end);
      const wireType = tag & 7;
      const child = wireType === WIRE_LEN ? children[tag >>> 3] : undefined;
      if (child === undefined) {
        r.skip(wireType, end);
        continue;
      }
      const childEnd = r.len(end) + r.pos;
      if (++messages > maxMessages) {
        throw new OtlpDecodeError(
          `the request holds more than ${maxMessages} protobuf messages; send smaller batches`,
        );
      }
      if (budget.items.has(child) && ++items > maxItems) {
        throw new OtlpDecodeError(
          `the request holds more than ${maxItems} ${budget.itemName}; send smaller batches`,
        );
      }
      if (depth < MAX_WALK_DEPTH) walk(child, childEnd, depth + 1);
      r.pos = childEnd;
    }
  };
  walk(type, r.buf.length, 0);
}
