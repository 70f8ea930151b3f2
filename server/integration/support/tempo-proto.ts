import type protobuf from 'protobufjs';
import { otlpProtoRoot } from '../../otlp/protobuf-root';

/**
 * Tempo's protobuf answers decoded the way Grafana's Tempo data source decodes them: with the
 * message definitions (`tempopb.TraceByIDResponse`, `tempopb.Trace`, the OTLP trace messages)
 * read by a generic protobuf library, not by Loupe's own hand-written encoders.
 */

export interface DecodedMessage {
  /** The value of field number `n`, as `toObject` gives it (bytes base64, enums by name, 64-bit ints as strings). */
  field(n: number): unknown;
  /** The property name of field `m` of the message type of field `n`. */
  nestedFieldName(n: number, m: number): string;
}

export function decodeTempoMessage(typeName: string, bytes: Uint8Array): DecodedMessage {
  const type = otlpProtoRoot().lookupType(typeName);
  const message = type.decode(bytes);
  const object = type.toObject(message, { longs: String, enums: String, bytes: String }) as Record<
    string,
    unknown
  >;
  return {
    field: (n) => object[type.fieldsById[n].name],
    nestedFieldName: (n, m) => (type.fieldsById[n].resolvedType as protobuf.Type).fieldsById[m].name,
  };
}
