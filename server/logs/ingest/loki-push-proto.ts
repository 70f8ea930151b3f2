import protobuf from 'protobufjs';

/**
 * Loki's `logproto.PushRequest` as Promtail, Grafana Alloy and the Loki clients send it
 * (snappy block-compressed). Field numbers from Loki's `pkg/push/push.proto`.
 */
const LOKI_PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;

let pushRequestType: protobuf.Type | undefined;

export function lokiPushRequestType(): protobuf.Type {
  pushRequestType ??= protobuf
    .parse(LOKI_PUSH_PROTO, { keepCase: true })
    .root.lookupType('logproto.PushRequest');
  return pushRequestType;
}

export interface LokiPushProto {
  streams?: {
    labels?: string;
    entries?: {
      timestamp?: { seconds?: number | { toString(): string }; nanos?: number } | null;
      line?: string;
      structuredMetadata?: { name?: string; value?: string }[];
    }[];
  }[];
}
